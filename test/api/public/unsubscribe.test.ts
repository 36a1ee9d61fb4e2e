import { describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../../support/app';
import { confirmJson, pendingSignup, snapshot, subscriptionRow } from '../../support/flow';
import { formHeaders, jsonHeaders } from '../../support/requests';

/** A confirmed subscriber; answers the opaque unsubscribe token kept with the subscription. */
async function confirmed(t: TestApp, email: string): Promise<string> {
  const res = await confirmJson(t, (await pendingSignup(t, email)).confirm);
  expect(res.status).toBe(200);
  return subscriptionRow(t, email).unsub_token as string;
}

const changesOf = (t: TestApp) => t.sqlite.sqlite.prepare('SELECT type, email FROM changes ORDER BY seq').all();

describe('GET /unsubscribe', () => {
  it('shows a page with a button and changes nothing', async () => {
    const t = await testApp();
    const token = await confirmed(t, 'reader@example.com');
    const before = snapshot(t);
    const res = await t.app.request(`/unsubscribe?token=${token}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain(`action="/unsubscribe?token=${token}"`);
    expect(html).toMatch(/<button type="submit">Unsubscribe<\/button>/);
    expect(snapshot(t)).toBe(before);
    expect(subscriptionRow(t, 'reader@example.com').state).toBe('confirmed');
  });

  it('answers an unknown or malformed token with a 400 page', async () => {
    const t = await testApp();
    for (const q of ['?token=u_' + 'x'.repeat(32), '?token=nonsense', '']) {
      const res = await t.app.request(`/unsubscribe${q}`);
      expect(res.status, q).toBe(400);
      expect(res.headers.get('content-type')).toContain('text/html');
    }
  });
});

describe('POST /unsubscribe', () => {
  it('answers the RFC 8058 one-click POST with 200 and the subscriber leaves the list at once', async () => {
    const t = await testApp();
    const token = await confirmed(t, 'oneclick@example.com');
    t.clock.advance(60_000);
    // What a mailbox provider sends: the URL from List-Unsubscribe, the body from List-Unsubscribe-Post.
    const res = await t.app.request(`/unsubscribe?token=${token}`, { method: 'POST', headers: formHeaders, body: 'List-Unsubscribe=One-Click' });
    expect(res.status).toBe(200);
    expect(subscriptionRow(t, 'oneclick@example.com')).toMatchObject({
      state: 'unsubscribed',
      unsubscribed_at: t.clock.now(),
      unsubscribe_source: 'one-click',
    });
    expect(changesOf(t)).toEqual([
      { type: 'confirmed', email: 'oneclick@example.com' },
      { type: 'unsubscribed', email: 'oneclick@example.com' },
    ]);
    const counts = t.sqlite.sqlite.prepare("SELECT count_confirmed, count_unsubscribed FROM lists WHERE slug = 'newsletter'").get();
    expect(counts).toEqual({ count_confirmed: 0, count_unsubscribed: 1 });
  });

  it('accepts the one-click POST as multipart/form-data too', async () => {
    const t = await testApp();
    const token = await confirmed(t, 'multi@example.com');
    const body = new FormData();
    body.set('List-Unsubscribe', 'One-Click');
    const res = await t.app.request(`/unsubscribe?token=${token}`, { method: 'POST', body });
    expect(res.status).toBe(200);
    expect(subscriptionRow(t, 'multi@example.com').state).toBe('unsubscribed');
  });

  it("works from the page's own form", async () => {
    const t = await testApp();
    const token = await confirmed(t, 'page@example.com');
    const html = await (await t.app.request(`/unsubscribe?token=${token}`)).text();
    const action = html.match(/<form method="post" action="([^"]+)"/)![1].replace(/&amp;/g, '&');
    const hidden = html.match(/name="token" value="([^"]+)"/)![1];
    const res = await t.app.request(action, { method: 'POST', headers: { ...formHeaders, accept: 'text/html' }, body: new URLSearchParams({ token: hidden }).toString() });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('You are unsubscribed');
    expect(subscriptionRow(t, 'page@example.com')).toMatchObject({ state: 'unsubscribed', unsubscribe_source: 'page' });
  });

  it('takes the token from the form body when the URL has none', async () => {
    const t = await testApp();
    const token = await confirmed(t, 'body@example.com');
    const res = await t.app.request('/unsubscribe', { method: 'POST', headers: formHeaders, body: `token=${token}` });
    expect(res.status).toBe(200);
    expect(subscriptionRow(t, 'body@example.com').state).toBe('unsubscribed');
  });

  it('answers JSON callers {"status":"unsubscribed"}, and a repeat answers the same and changes nothing', async () => {
    const t = await testApp();
    const token = await confirmed(t, 'repeat@example.com');
    const first = await t.app.request(`/unsubscribe?token=${token}`, { method: 'POST', headers: jsonHeaders, body: '{}' });
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ status: 'unsubscribed' });
    const before = snapshot(t);
    t.clock.advance(60_000);
    const again = await t.app.request(`/unsubscribe?token=${token}`, { method: 'POST', headers: jsonHeaders, body: '{}' });
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ status: 'unsubscribed' });
    expect(snapshot(t)).toBe(before);
  });

  it('unsubscribes a pending signup too, so its confirmation link stops working', async () => {
    const t = await testApp();
    const confirmToken = (await pendingSignup(t, 'early@example.com')).confirm;
    const token = subscriptionRow(t, 'early@example.com').unsub_token as string;
    expect((await t.app.request(`/unsubscribe?token=${token}`, { method: 'POST', headers: formHeaders, body: 'List-Unsubscribe=One-Click' })).status).toBe(200);
    expect((await confirmJson(t, confirmToken)).status).toBe(410);
  });

  it('touches only the subscription the token belongs to', async () => {
    const t = await testApp();
    const token = await confirmed(t, 'one@example.com');
    await confirmed(t, 'two@example.com');
    await t.app.request(`/unsubscribe?token=${token}`, { method: 'POST', headers: formHeaders, body: 'List-Unsubscribe=One-Click' });
    expect(subscriptionRow(t, 'two@example.com').state).toBe('confirmed');
  });

  it('answers a bad token with 400 problem+json for JSON callers, never a 500', async () => {
    const t = await testApp();
    for (const q of ['?token=u_' + 'y'.repeat(32), '?token=%00', '']) {
      const res = await t.app.request(`/unsubscribe${q}`, { method: 'POST', headers: jsonHeaders, body: '{}' });
      expect(res.status, q).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
    const weird = await t.app.request('/unsubscribe', { method: 'POST', headers: jsonHeaders, body: JSON.stringify({ token: { $ne: null } }) });
    expect(weird.status).toBe(400);
  });
});

describe('RATE_LIMIT_ACTION_PER_MINUTE', () => {
  it('answers 429 with Retry-After to a client posting links too fast, but never limits one-click', async () => {
    const t = await testApp({ RATE_LIMIT_ACTION_PER_MINUTE: '3' });
    const token = await confirmed(t, 'limit@example.com');
    const from = (ip: string) => ({ clientIp: ip });
    for (let i = 0; i < 3; i++) {
      const res = await t.app.request('/confirm', { method: 'POST', headers: jsonHeaders, body: '{"token":"guess"}' }, from('192.0.2.50'));
      expect(res.status).toBe(400);
    }
    const limited = await t.app.request('/confirm', { method: 'POST', headers: jsonHeaders, body: '{"token":"guess"}' }, from('192.0.2.50'));
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    const page = await t.app.request(`/unsubscribe?token=${token}`, { method: 'POST', headers: formHeaders, body: `token=${token}` }, from('192.0.2.50'));
    expect(page.status).toBe(429);
    expect(subscriptionRow(t, 'limit@example.com').state).toBe('confirmed');
    // Another client is not affected; a mailbox provider's one-click POST goes through.
    expect((await t.app.request('/confirm', { method: 'POST', headers: jsonHeaders, body: '{"token":"guess"}' }, from('192.0.2.51'))).status).toBe(400);
    const oneClick = await t.app.request(`/unsubscribe?token=${token}`, { method: 'POST', headers: formHeaders, body: 'List-Unsubscribe=One-Click' }, from('192.0.2.50'));
    expect(oneClick.status).toBe(200);
    t.clock.advance(60_000);
    expect((await t.app.request('/confirm', { method: 'POST', headers: jsonHeaders, body: '{"token":"guess"}' }, from('192.0.2.50'))).status).toBe(400);
  });
});
