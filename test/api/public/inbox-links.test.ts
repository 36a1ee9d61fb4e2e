import { describe, expect, it } from 'vitest';
import { signup, testApp } from '../../support/app';
import { confirmed } from '../../support/flow';
import { ADMIN, adminEnv, api, type Json } from '../../support/operator';

describe('the signup answer links to the webmail of known providers', () => {
  it.each([
    ['someone@gmail.com', 'Gmail', /^https:\/\/mail\.google\.com\/mail\/u\/0\/#search\/from%3A\(news%40example\.com\)/],
    ['someone@hotmail.com', 'Outlook', /^https:\/\/outlook\.live\.com\//],
    ['someone@yahoo.com', 'Yahoo Mail', /^https:\/\/mail\.yahoo\.com\//],
    ['someone@icloud.com', 'iCloud Mail', /^https:\/\/www\.icloud\.com\/mail\//],
    ['someone@proton.me', 'Proton Mail', /^https:\/\/mail\.proton\.me\//],
    ['someone@docomo.ne.jp', 'ドコモメール', /^https:\/\/mail\.smt\.docomo\.ne\.jp\//],
  ])('%s: %s', async (email, name, url) => {
    const t = await testApp(adminEnv);
    await api(t, 'PUT', '/v1/lists/newsletter', ADMIN, { name: 'News', from: 'News <news@example.com>' });
    const body = (await (await signup(t, email)).json()) as Json;
    expect(body).toEqual({ status: 'pending', inbox: { name, url: expect.stringMatching(url) } });
  });

  it('carries no inbox key for other providers', async () => {
    const t = await testApp(adminEnv);
    expect(await (await signup(t, 'someone@example.org')).json()).toEqual({ status: 'pending' });
  });

  it('answers the same body whatever the address\'s state, and for the honeypot', async () => {
    const t = await testApp(adminEnv);
    await confirmed(t, 'known@gmail.com');
    const fresh = await (await signup(t, 'new@gmail.com', { ip: '198.51.100.7' })).text();
    const known = await (await signup(t, 'known@gmail.com', { ip: '198.51.100.8' })).text();
    const trap = await (
      await t.app.request('/lists/newsletter/subscribe', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'bot@gmail.com', _gotcha: 'x' }) }, { clientIp: '198.51.100.9' })
    ).text();
    expect(known).toBe(fresh);
    expect(trap).toBe(fresh);
  });

  it('sends a browser to a check-inbox page that names the sender, the spam folder and the webmail, never the address', async () => {
    const t = await testApp(adminEnv);
    await api(t, 'PUT', '/v1/lists/newsletter', ADMIN, { name: 'News', from: 'News <news@example.com>' });
    const res = await t.app.request('/lists/newsletter/subscribe', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'email=reader%40gmail.com' }, { clientIp: '198.51.100.20' });
    expect(res.status).toBe(303);
    const location = res.headers.get('location')!;
    expect(location).toBe('/lists/newsletter/check-inbox?provider=gmail');
    const page = await (await t.app.request(location)).text();
    expect(page).toMatch(/^<!doctype html>/i);
    expect(page).toContain('news@example.com');
    expect(page).toMatch(/spam/);
    expect(page).toContain('Open Gmail');
    expect(page).toContain('href="https://mail.google.com/mail/u/0/#search/');
    expect(page).not.toContain('reader');
    // Unknown provider: the same page without the button.
    const plain = await (await t.app.request('/lists/newsletter/check-inbox')).text();
    expect(plain).not.toContain('class="button"');
  });
});

describe('the consent wording', () => {
  it('shows under the hosted form and is kept with each signup, as the lookup shows', async () => {
    const t = await testApp(adminEnv);
    const consent = 'We send one mail a week.\n\nUnsubscribe with one click, any time.';
    await api(t, 'PUT', '/v1/lists/newsletter', ADMIN, { name: 'News', consent_text: consent });
    const page = await (await t.app.request('/lists/newsletter')).text();
    expect(page).toContain('We send one mail a week.');
    expect(page).toContain('Unsubscribe with one click, any time.');
    await signup(t, 'agreed@example.com');
    // A later wording does not change what the earlier signup agreed to.
    await api(t, 'PUT', '/v1/lists/newsletter', ADMIN, { name: 'News', consent_text: 'Daily mail now.' });
    const lookup = (await (await api(t, 'GET', '/v1/subscribers/agreed@example.com', ADMIN)).json()) as Json;
    expect(lookup.subscriptions[0].signup.consent_text).toBe(consent);
  });
});
