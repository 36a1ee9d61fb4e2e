import { describe, expect, it } from 'vitest';
import { testApp } from '../../support/app';
import { confirmForm, confirmJson, pendingSignup, snapshot, subscriptionRow } from '../../support/flow';
import { jsonHeaders } from '../../support/requests';

const HOUR = 3_600_000;

describe('POST /confirm with a bad, expired or foreign token', () => {
  it('answers a malformed or forged token with 400, as problem+json or as a page', async () => {
    const t = await testApp();
    const token = (await pendingSignup(t, 'bad@example.com')).confirm;
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
    const token = (await pendingSignup(t, 'late@example.com')).confirm;
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

  it('never writes a token into the request log', async () => {
    const t = await testApp();
    const token = (await pendingSignup(t, 'quiet@example.com')).confirm;
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
    const token = (await pendingSignup(t, 'left@example.com')).confirm;
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
    const old = (await pendingSignup(t, 'renew@example.com')).confirm;
    await confirmJson(t, old);
    const unsub = subscriptionRow(t, 'renew@example.com').unsub_token as string;
    await t.app.request(`/unsubscribe?token=${unsub}`, { method: 'POST', headers: { ...jsonHeaders }, body: '{}' });
    t.clock.advance(HOUR);
    const fresh = (await pendingSignup(t, 'renew@example.com')).confirm;
    expect(fresh).not.toBe(old);
    expect((await confirmJson(t, old)).status).toBe(410);
    expect(subscriptionRow(t, 'renew@example.com').state).toBe('pending');
    expect((await confirmJson(t, fresh)).status).toBe(200);
  });

  it('answers 410 after the address was suppressed', async () => {
    const t = await testApp();
    const token = (await pendingSignup(t, 'victim@example.com')).confirm;
    const notMe = t.mailer.sent[0].text.match(/\/not-me\?token=([\w.-]+)/)![1];
    const stop = await t.app.request('/not-me', { method: 'POST', headers: jsonHeaders, body: JSON.stringify({ token: notMe }) });
    expect(stop.status).toBe(200);
    expect(subscriptionRow(t, 'victim@example.com').state).toBe('suppressed');
    const res = await confirmJson(t, token);
    expect(res.status).toBe(410);
    expect(subscriptionRow(t, 'victim@example.com').state).toBe('suppressed');
  });
});
