import { describe, expect, it } from 'vitest';
import { putList } from '../../../src/db/queries/lists';
import { served, testApp } from '../../support/app';
import { confirmForm, confirmJson, pendingSignup, snapshot, subscriptionRow } from '../../support/flow';
import { jsonHeaders } from '../../support/requests';

const HOUR = 3_600_000;

describe('GET /confirm', () => {
  it('shows a page whose button POSTs the token, and changes nothing', async () => {
    const t = await testApp();
    const token = (await pendingSignup(t, 'look@example.com')).confirm;
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
    const token = (await pendingSignup(t, 'old@example.com')).confirm;
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
    const token = (await pendingSignup(t, 'form@example.com')).confirm;
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
    const token = (await pendingSignup(t, 'json@example.com')).confirm;
    const res = await confirmJson(t, token);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'confirmed' });
    expect(subscriptionRow(t, 'json@example.com').state).toBe('confirmed');
  });

  it('confirms with the token as a multipart form field', async () => {
    const t = await testApp();
    const token = (await pendingSignup(t, 'multipart@example.com')).confirm;
    const body = new FormData();
    body.set('token', token);
    const res = await t.app.request('/confirm', { method: 'POST', body });
    expect(res.status).toBe(303);
    expect(subscriptionRow(t, 'multipart@example.com').state).toBe('confirmed');
  });

  it('confirms with the token as a query parameter and no body', async () => {
    const t = await testApp();
    const token = (await pendingSignup(t, 'query@example.com')).confirm;
    const res = await t.app.request(`/confirm?token=${token}`, { method: 'POST', headers: { accept: 'application/json' } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'confirmed' });
    expect(subscriptionRow(t, 'query@example.com').state).toBe('confirmed');
  });

  it("sends the browser to the list's redirect_confirmed when it has one", async () => {
    const t = await testApp();
    await putList(t.deps.db, 'shop', { name: 'Shop news', redirectConfirmed: 'https://shop.example/welcome' }, t.clock.now());
    const token = (await pendingSignup(t, 'buyer@example.com', { list: 'shop' })).confirm;
    const res = await confirmForm(t, token);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('https://shop.example/welcome');
    expect(subscriptionRow(t, 'buyer@example.com', 'shop').state).toBe('confirmed');
  });

  it('answers success again to a second POST and changes nothing', async () => {
    const t = await testApp();
    const token = (await pendingSignup(t, 'twice@example.com')).confirm;
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

  it('records the rightmost X-Forwarded-For entry as the confirming address only when TRUST_PROXY=1', async () => {
    for (const [trust, expected] of [['1', /^198\.51\.100\.20$/], ['', /^(::ffff:)?127\.0\.0\.1$/]] as const) {
      const t = await testApp({ TRUST_PROXY: trust });
      const token = (await pendingSignup(t, 'proxied@example.com')).confirm;
      const s = await served(t);
      try {
        await fetch(`${s.base}/confirm`, { method: 'POST', headers: { ...jsonHeaders, 'x-forwarded-for': '10.9.9.9, 198.51.100.20' }, body: JSON.stringify({ token }) });
      } finally {
        await s.close();
      }
      expect(subscriptionRow(t, 'proxied@example.com').confirm_ip).toMatch(expected);
    }
  });

  it('confirms only the signup the token was issued for', async () => {
    const t = await testApp();
    const tokenA = (await pendingSignup(t, 'a@example.com')).confirm;
    await pendingSignup(t, 'b@example.com');
    await confirmJson(t, tokenA);
    expect(subscriptionRow(t, 'a@example.com').state).toBe('confirmed');
    expect(subscriptionRow(t, 'b@example.com').state).toBe('pending');
  });
});
