import { describe, expect, it } from 'vitest';
import { putList } from '../src/db/queries/lists';
import { testApp } from './support/app';
import { confirmForm, confirmJson, json, pendingSignup, snapshot, subscriptionRow } from './support/flow';

const HOUR = 3_600_000;

describe('GET /confirm', () => {
  it('shows a page whose button POSTs the token, and changes nothing', async () => {
    const t = await testApp();
    const token = await pendingSignup(t, 'look@example.com');
    const before = snapshot(t);
    for (let i = 0; i < 3; i++) {
      const res = await t.app.request(`/confirm?token=${token}`, { headers: { accept: 'text/html' } });
      expect(res.status).toBe(200);
      const html = await res.text();
      expect(html).toMatch(/<form method="post" action="\/confirm">/);
      expect(html).toContain(`name="token" value="${token}"`);
    }
    expect(snapshot(t)).toBe(before);
    expect(subscriptionRow(t, 'look@example.com').state).toBe('pending');
  });

  it('answers a bad or expired link with a page of the same status, never a 500', async () => {
    const t = await testApp();
    const token = await pendingSignup(t, 'old@example.com');
    expect((await t.app.request('/confirm?token=garbage')).status).toBe(400);
    expect((await t.app.request('/confirm')).status).toBe(400);
    t.clock.advance(49 * HOUR);
    const res = await t.app.request(`/confirm?token=${token}`);
    expect(res.status).toBe(410);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(await res.text()).toContain('This link has expired');
  });
});

describe('POST /confirm', () => {
  it('confirms with the token as a form field and sends the browser 303 to the hosted page', async () => {
    const t = await testApp();
    const token = await pendingSignup(t, 'form@example.com');
    t.clock.advance(5 * 60_000);
    const res = await t.app.request(
      '/confirm',
      { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'Clicker/2' }, body: `token=${token}` },
      { clientIp: '198.51.100.9' },
    );
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/confirmed?list=newsletter');
    const page = await t.app.request(res.headers.get('location')!);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Your subscription to Newsletter is confirmed');
    expect(subscriptionRow(t, 'form@example.com')).toMatchObject({
      state: 'confirmed',
      confirmed_at: t.clock.now(),
      confirm_ip: '198.51.100.9',
      confirm_user_agent: 'Clicker/2',
    });
  });

  it('confirms with the token as a JSON field and answers 200 {"status":"confirmed"}', async () => {
    const t = await testApp();
    const token = await pendingSignup(t, 'json@example.com');
    const res = await confirmJson(t, token);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'confirmed' });
    expect(subscriptionRow(t, 'json@example.com').state).toBe('confirmed');
  });

  it('confirms with the token as a multipart form field', async () => {
    const t = await testApp();
    const token = await pendingSignup(t, 'multipart@example.com');
    const body = new FormData();
    body.set('token', token);
    const res = await t.app.request('/confirm', { method: 'POST', body });
    expect(res.status).toBe(303);
    expect(subscriptionRow(t, 'multipart@example.com').state).toBe('confirmed');
  });

  it('confirms with the token as a query parameter and no body', async () => {
    const t = await testApp();
    const token = await pendingSignup(t, 'query@example.com');
    const res = await t.app.request(`/confirm?token=${token}`, { method: 'POST', headers: { accept: 'application/json' } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'confirmed' });
    expect(subscriptionRow(t, 'query@example.com').state).toBe('confirmed');
  });

  it("sends the browser to the list's redirect_confirmed when it has one", async () => {
    const t = await testApp();
    await putList(t.deps.db, 'shop', { name: 'Shop news', redirectConfirmed: 'https://shop.example/welcome' }, t.clock.now());
    const token = await pendingSignup(t, 'buyer@example.com', { list: 'shop' });
    const res = await confirmForm(t, token);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('https://shop.example/welcome');
    expect(subscriptionRow(t, 'buyer@example.com', 'shop').state).toBe('confirmed');
  });

  it('answers success again to a second POST and changes nothing', async () => {
    const t = await testApp();
    const token = await pendingSignup(t, 'twice@example.com');
    await confirmJson(t, token);
    const first = subscriptionRow(t, 'twice@example.com');
    const before = snapshot(t);
    t.clock.advance(HOUR);
    const again = await confirmJson(t, token);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ status: 'confirmed' });
    const browser = await confirmForm(t, token);
    expect(browser.status).toBe(303);
    expect(subscriptionRow(t, 'twice@example.com').confirmed_at).toBe(first.confirmed_at);
    expect(snapshot(t)).toBe(before);
  });

  it('answers a malformed or forged token with 400, as problem+json or as a page', async () => {
    const t = await testApp();
    const token = await pendingSignup(t, 'bad@example.com');
    const [h, p, s] = token.split('.');
    const forged = `${h}.${p}.${s.slice(0, -4)}${s.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
    for (const bad of ['garbage', '', 42, null, forged]) {
      const res = await confirmJson(t, bad);
      expect(res.status, String(bad)).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(await res.json()).toMatchObject({ status: 400, type: expect.any(String), title: expect.any(String), detail: expect.any(String) });
    }
    const page = await confirmForm(t, forged);
    expect(page.status).toBe(400);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('This link is not valid');
    const empty = await t.app.request('/confirm', { method: 'POST' });
    expect(empty.status).toBe(400);
    expect(subscriptionRow(t, 'bad@example.com').state).toBe('pending');
  });

  it('answers an expired token with 410, as problem+json or as a page, and confirms nothing', async () => {
    const t = await testApp({ CONFIRM_TTL_HOURS: '0.5' });
    const token = await pendingSignup(t, 'late@example.com');
    t.clock.advance(31 * 60_000);
    const res = await confirmJson(t, token);
    expect(res.status).toBe(410);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(await res.json()).toMatchObject({ status: 410 });
    const page = await confirmForm(t, token);
    expect(page.status).toBe(410);
    expect(await page.text()).toContain('This link has expired');
    expect(subscriptionRow(t, 'late@example.com').state).toBe('pending');
  });

  it('refuses a "this wasn\'t me" token on /confirm', async () => {
    const t = await testApp();
    await pendingSignup(t, 'purpose@example.com');
    const notMe = t.mailer.sent[0].text.match(/\/not-me\?token=([\w.-]+)/)![1];
    const res = await confirmJson(t, notMe);
    expect(res.status).toBe(400);
    expect(subscriptionRow(t, 'purpose@example.com').state).toBe('pending');
  });

  it('records the rightmost X-Forwarded-For entry as the confirming address only when TRUST_PROXY=1', async () => {
    for (const [trust, expected] of [['1', '198.51.100.20'], ['', 'unknown']] as const) {
      const t = await testApp({ TRUST_PROXY: trust });
      const token = await pendingSignup(t, 'proxied@example.com');
      await t.app.request('/confirm', { method: 'POST', headers: { ...json, 'x-forwarded-for': '10.9.9.9, 198.51.100.20' }, body: JSON.stringify({ token }) });
      expect(subscriptionRow(t, 'proxied@example.com').confirm_ip).toBe(expected);
    }
  });

  it('confirms only the signup the token was issued for', async () => {
    const t = await testApp();
    const tokenA = await pendingSignup(t, 'a@example.com');
    await pendingSignup(t, 'b@example.com');
    await confirmJson(t, tokenA);
    expect(subscriptionRow(t, 'a@example.com').state).toBe('confirmed');
    expect(subscriptionRow(t, 'b@example.com').state).toBe('pending');
  });

  it('never writes a token into the request log', async () => {
    const t = await testApp();
    const token = await pendingSignup(t, 'quiet@example.com');
    await t.app.request(`/confirm?token=${token}`);
    await t.app.request(`/confirm?token=${token}`, { method: 'POST', headers: { accept: 'application/json' } });
    await confirmJson(t, token);
    await t.app.request(`/confirm?token=${token}x`);
    const unsub = subscriptionRow(t, 'quiet@example.com').unsub_token as string;
    await t.app.request(`/unsubscribe?token=${unsub}`);
    await t.app.request(`/unsubscribe?token=${unsub}`, { method: 'POST', body: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(t.logs.filter((l) => l.includes('"msg":"request"')).length).toBeGreaterThanOrEqual(6);
    const all = t.logs.join('\n');
    expect(all).not.toContain(token);
    expect(all).not.toContain(token.split('.')[2]);
    expect(all).not.toContain(unsub);
  });
});

describe('a confirmation token after the subscription left', () => {
  it('answers 410 after an unsubscribe and changes nothing', async () => {
    const t = await testApp();
    const token = await pendingSignup(t, 'left@example.com');
    await confirmJson(t, token);
    const unsub = subscriptionRow(t, 'left@example.com').unsub_token as string;
    await t.app.request(`/unsubscribe?token=${unsub}`, { method: 'POST', body: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    const before = snapshot(t);
    const res = await confirmJson(t, token);
    expect(res.status).toBe(410);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect((await confirmForm(t, token)).status).toBe(410);
    expect(snapshot(t)).toBe(before);
    expect(subscriptionRow(t, 'left@example.com').state).toBe('unsubscribed');
  });

  it('answers 410 after a later signup renewed the subscription', async () => {
    const t = await testApp();
    const old = await pendingSignup(t, 'renew@example.com');
    await confirmJson(t, old);
    const unsub = subscriptionRow(t, 'renew@example.com').unsub_token as string;
    await t.app.request(`/unsubscribe?token=${unsub}`, { method: 'POST', headers: { ...json }, body: '{}' });
    t.clock.advance(HOUR);
    const fresh = await pendingSignup(t, 'renew@example.com');
    expect(fresh).not.toBe(old);
    expect((await confirmJson(t, old)).status).toBe(410);
    expect(subscriptionRow(t, 'renew@example.com').state).toBe('pending');
    expect((await confirmJson(t, fresh)).status).toBe(200);
  });

  it('answers 410 after the address was suppressed', async () => {
    const t = await testApp();
    const token = await pendingSignup(t, 'victim@example.com');
    const notMe = t.mailer.sent[0].text.match(/\/not-me\?token=([\w.-]+)/)![1];
    const stop = await t.app.request('/not-me', { method: 'POST', headers: json, body: JSON.stringify({ token: notMe }) });
    expect(stop.status).toBe(200);
    expect(subscriptionRow(t, 'victim@example.com').state).toBe('suppressed');
    const res = await confirmJson(t, token);
    expect(res.status).toBe(410);
    expect(subscriptionRow(t, 'victim@example.com').state).toBe('suppressed');
  });
});
