import { describe, expect, it } from 'vitest';
import { rateKeyOf } from '../../../src/middleware/rate-limit';
import { from, served, signup, testApp } from '../../support/app';
import { count, pendingSignup } from '../../support/flow';
import { makeList } from '../../support/operator';
import { formPost, jsonPost, multipartPost } from '../../support/requests';

const subscribe = '/lists/newsletter/subscribe';

describe('rate limits answer 429 with Retry-After', () => {
  it('limits signups per client address per list: burst, then Retry-After, then refill', async () => {
    const t = await testApp({ RATE_LIMIT_SIGNUP_BURST: '3', RATE_LIMIT_SIGNUP_PER_MINUTE: '6' });
    for (let i = 0; i < 3; i++) expect((await signup(t, `b${i}@example.com`, { ip: '203.0.113.9' })).status).toBe(202);
    const limited = await signup(t, 'b3@example.com', { ip: '203.0.113.9' });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('content-type')).toContain('application/problem+json');
    expect(Number(limited.headers.get('retry-after'))).toBe(10); // 6 per minute: one token every 10 s
    expect(count(t, 'subscriptions', "key = 'b3@example.com'")).toBe(0);
    // Another address is not affected, and after Retry-After seconds the first one may sign up again.
    expect((await signup(t, 'other@example.com', { ip: '203.0.113.10' })).status).toBe(202);
    t.clock.advance(10_000);
    expect((await signup(t, 'b3@example.com', { ip: '203.0.113.9' })).status).toBe(202);
  });

  it('counts the per-address limit separately for each list', async () => {
    const t = await testApp({ RATE_LIMIT_SIGNUP_BURST: '1' });
    await makeList(t, 'second');
    expect((await signup(t, 'x@example.com', { ip: '203.0.113.9' })).status).toBe(202);
    expect((await signup(t, 'x@example.com', { ip: '203.0.113.9', list: 'second' })).status).toBe(202);
    expect((await signup(t, 'y@example.com', { ip: '203.0.113.9' })).status).toBe(429);
  });

  it('applies the same limit to form, multipart and JSON posts, and a browser gets a page with Retry-After', async () => {
    const t = await testApp({ RATE_LIMIT_SIGNUP_BURST: '2' });
    expect((await from(t, '203.0.113.5', subscribe, jsonPost({ email: 'a@example.com' }))).status).toBe(202);
    expect((await from(t, '203.0.113.5', subscribe, multipartPost({ email: 'b@example.com' }, { accept: 'application/json' }))).status).toBe(202);
    const page = await from(t, '203.0.113.5', subscribe, formPost({ email: 'c@example.com' }, { accept: 'text/html' }));
    expect(page.status).toBe(429);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
  });

  it('keys IPv6 clients on their /64, so rotating the interface id does not escape the limit', async () => {
    const t = await testApp({ RATE_LIMIT_SIGNUP_BURST: '2' });
    expect((await signup(t, 'a@example.com', { ip: '2001:db8:1:2::1' })).status).toBe(202);
    expect((await signup(t, 'b@example.com', { ip: '2001:db8:1:2:ffff:1:2:3' })).status).toBe(202);
    expect((await signup(t, 'c@example.com', { ip: '2001:0db8:0001:0002:abcd::9' })).status).toBe(429);
    expect((await signup(t, 'd@example.com', { ip: '2001:db8:1:3::1' })).status).toBe(202);
  });

  it('rateKeyOf: one key per IPv4 address, per IPv6 /64 however it is written', () => {
    expect(rateKeyOf('203.0.113.9')).toBe('203.0.113.9');
    expect(rateKeyOf('::ffff:203.0.113.9')).toBe('203.0.113.9');
    const key = rateKeyOf('2001:db8:1:2::1');
    for (const form of ['2001:0DB8:0001:0002:0:0:0:ffff', '2001:db8:1:2:aaaa:bbbb:cccc:dddd', '2001:db8:1:2::']) expect(rateKeyOf(form), form).toBe(key);
    expect(rateKeyOf('2001:db8:1:3::1')).not.toBe(key);
    expect(rateKeyOf('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(rateKeyOf('::1')).toBe('0:0:0:0::/64');
  });

  it('over the list-wide ceiling (RATE_LIMIT_LIST_PER_MINUTE) takes every valid signup and delays its mail instead', async () => {
    const t = await testApp({ RATE_LIMIT_LIST_PER_MINUTE: '4' });
    await makeList(t, 'quiet');
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await signup(t, `flood${i}@example.com`, { ip: `198.51.100.${i + 1}` })).status);
    // A valid signup from a client within its own limit is never refused because of other clients.
    expect(statuses).toEqual([202, 202, 202, 202, 202, 202]);
    expect(count(t, 'subscriptions', "key LIKE 'flood%'")).toBe(6);
    // The four within the ceiling are mailed now; the fifth and sixth wait their turn (4 per minute).
    await t.deliver();
    expect(t.mailer.sent.map((m) => m.to).sort()).toEqual(['flood0@example.com', 'flood1@example.com', 'flood2@example.com', 'flood3@example.com']);
    t.clock.advance(15_000);
    await t.deliver();
    expect(t.mailer.sent.map((m) => m.to)).toContain('flood4@example.com');
    expect(t.mailer.sent.map((m) => m.to)).not.toContain('flood5@example.com');
    t.clock.advance(15_000);
    await t.deliver();
    expect(t.mailer.sent.map((m) => m.to)).toContain('flood5@example.com');
    // Another list is not held back by this one's flood.
    expect((await signup(t, 'calm@example.com', { ip: '198.51.100.50', list: 'quiet' })).status).toBe(202);
    await t.deliver();
    expect(t.mailer.sent.map((m) => m.to)).toContain('calm@example.com');
  });

  it('spends nothing of the list-wide ceiling on trapped or invalid posts', async () => {
    const t = await testApp({ RATE_LIMIT_LIST_PER_MINUTE: '2' });
    for (let i = 0; i < 5; i++) {
      expect((await t.app.request(subscribe, jsonPost({ email: `bot${i}@example.com`, _gotcha: 'x' }), { clientIp: `198.51.100.${i + 1}` })).status).toBe(202);
      expect((await t.app.request(subscribe, jsonPost({ email: 'not an address' }), { clientIp: `198.51.100.${i + 10}` })).status).toBe(422);
    }
    for (const who of ['real1', 'real2']) expect((await signup(t, `${who}@example.com`, { ip: `203.0.113.${who.length}${who.at(-1)}` })).status).toBe(202);
    await t.deliver();
    // Both real people are mailed at once: the traps and the invalid posts used none of the two.
    expect(t.mailer.sent.map((m) => m.to).sort()).toEqual(['real1@example.com', 'real2@example.com']);
  });

  it('limits POST /confirm, /unsubscribe and /not-me together per client address (RATE_LIMIT_ACTION_PER_MINUTE)', async () => {
    const t = await testApp({ RATE_LIMIT_ACTION_PER_MINUTE: '3' });
    const tokens = await pendingSignup(t, 'act@example.com');
    const ip = '192.0.2.77';
    expect((await from(t, ip, '/confirm', jsonPost({ token: tokens.confirm }))).status).toBe(200);
    expect((await from(t, ip, '/confirm', jsonPost({ token: 'garbage' }))).status).toBe(400);
    expect((await from(t, ip, `/unsubscribe?token=${tokens.unsub}`, formPost({ token: tokens.unsub }))).status).toBe(200);
    for (const path of ['/confirm', `/unsubscribe?token=${tokens.unsub}`, '/not-me']) {
      const res = await from(t, ip, path, jsonPost({ token: tokens.notMe }));
      expect(res.status, path).toBe(429);
      expect(Number(res.headers.get('retry-after')), path).toBe(20);
    }
    expect(count(t, 'suppressions')).toBe(0);
    // The pages behind GET stay reachable, and another client is not affected.
    expect((await from(t, ip, `/not-me?token=${tokens.notMe}`)).status).toBe(200);
    expect((await from(t, '192.0.2.78', '/not-me', jsonPost({ token: tokens.notMe }))).status).toBe(200);
  });

  it('never refuses an RFC 8058 one-click unsubscribe from a mailbox provider', async () => {
    const t = await testApp({ RATE_LIMIT_ACTION_PER_MINUTE: '1' });
    const provider = '209.85.220.41';
    for (let i = 0; i < 4; i++) {
      const { unsub } = await pendingSignup(t, `oc${i}@example.com`);
      const res = await from(t, provider, `/unsubscribe?token=${unsub}`, formPost({ 'List-Unsubscribe': 'One-Click' }));
      expect(res.status).toBe(200);
    }
    expect(count(t, 'subscriptions', "state = 'unsubscribed'")).toBe(4);
  });

  it('takes the client address from the rightmost X-Forwarded-For entry only when TRUST_PROXY=1', async () => {
    const t = await testApp({ TRUST_PROXY: '1', RATE_LIMIT_SIGNUP_BURST: '1' });
    const s = await served(t);
    const post = (email: string, xff: string) =>
      fetch(`${s.base}${subscribe}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': xff }, body: JSON.stringify({ email }) });
    try {
      expect((await post('p1@example.com', '1.1.1.1, 198.51.100.1')).status).toBe(202);
      // A forged left part does not make a new client; the proxy-appended right part decides.
      expect((await post('p2@example.com', '9.9.9.9, 198.51.100.1')).status).toBe(429);
      expect((await post('p3@example.com', '1.1.1.1, 198.51.100.2')).status).toBe(202);
      const row = t.sqlite.sqlite.prepare("SELECT signup_ip FROM subscriptions WHERE key = 'p3@example.com'").get();
      expect(row).toEqual({ signup_ip: '198.51.100.2' });
    } finally {
      await s.close();
    }
  });

  it('ignores X-Forwarded-For without TRUST_PROXY', async () => {
    const t = await testApp({ RATE_LIMIT_SIGNUP_BURST: '1' });
    const post = (email: string, xff: string) =>
      t.app.request(subscribe, jsonPost({ email }, { 'x-forwarded-for': xff }), { clientIp: '203.0.113.3' });
    expect((await post('q1@example.com', '198.51.100.1')).status).toBe(202);
    expect((await post('q2@example.com', '198.51.100.2')).status).toBe(429);
  });
});

describe('honeypot', () => {
  const bodies = {
    form: (f: Record<string, string>) => formPost(f),
    multipart: (f: Record<string, string>) => multipartPost(f),
    json: (f: Record<string, string>) => jsonPost(f),
  };
  for (const [kind, body] of Object.entries(bodies)) {
    it(`answers a filled _gotcha in ${kind} exactly like a success and stores nothing`, async () => {
      const t = await testApp();
      const real = await from(t, '203.0.113.20', subscribe, body({ email: 'human@example.com' }));
      const bot = await from(t, '203.0.113.21', subscribe, body({ email: 'bot@example.com', _gotcha: 'http://spam.example' }));
      expect(bot.status).toBe(real.status);
      expect(await bot.text()).toBe(await real.text());
      expect(bot.headers.get('location')).toBe(real.headers.get('location'));
      expect(count(t, 'subscriptions', "key = 'bot@example.com'")).toBe(0);
      expect(count(t, 'addresses', "key = 'bot@example.com'")).toBe(0);
      await t.deliver();
      expect(t.mailer.sent.map((m) => m.to)).toEqual(['human@example.com']);
    });
  }

  it('treats an empty _gotcha as a person', async () => {
    const t = await testApp();
    await from(t, '203.0.113.22', subscribe, formPost({ email: 'empty@example.com', _gotcha: '' }));
    expect(count(t, 'subscriptions', "key = 'empty@example.com'")).toBe(1);
  });

  it('is still rate limited, so a trap cannot be told from a real signup by its answer', async () => {
    const t = await testApp({ RATE_LIMIT_SIGNUP_BURST: '1' });
    await from(t, '203.0.113.23', subscribe, jsonPost({ email: 'first@example.com' }));
    const bot = await from(t, '203.0.113.23', subscribe, jsonPost({ email: 'bot@example.com', _gotcha: 'x' }));
    expect(bot.status).toBe(429);
  });
});
