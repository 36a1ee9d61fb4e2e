import { describe, expect, it } from 'vitest';
import { from, signup, type TestApp, testApp } from '../../support/app';
import { count, pendingSignup } from '../../support/flow';
import { makeList } from '../../support/operator';
import { formPost, jsonPost } from '../../support/requests';

const SITE = 'https://blog.example';

async function corsApp() {
  const t = await testApp();
  await makeList(t, 'embedded', { allowedOrigins: [SITE, 'http://localhost:5173'] });
  return t;
}

describe('CORS per list', () => {
  it('answers a preflight from an allowed origin with that origin (never *), methods, headers and max-age', async () => {
    const t = await corsApp();
    const res = await t.app.request('/lists/embedded/subscribe', {
      method: 'OPTIONS',
      headers: { origin: SITE, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(SITE);
    expect(res.headers.get('access-control-allow-methods')).toContain('POST');
    expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('content-type');
    expect(res.headers.get('vary')).toContain('Origin');
  });

  it('gives a preflight from another origin, or for another list, no CORS headers', async () => {
    const t = await corsApp();
    for (const [origin, list] of [['https://evil.example', 'embedded'], [SITE, 'newsletter'], ['https://blog.example.evil.example', 'embedded'], ['null', 'embedded']]) {
      const res = await t.app.request(`/lists/${list}/subscribe`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST' } });
      expect(res.headers.get('access-control-allow-origin'), `${origin} ${list}`).toBeNull();
    }
  });

  it('lets an allowed origin read the answer, and its 429 with Retry-After', async () => {
    const t = await testApp({ RATE_LIMIT_SIGNUP_BURST: '1' });
    await makeList(t, 'embedded', { allowedOrigins: [SITE] });
    const post = (email: string) => from(t, '203.0.113.70', '/lists/embedded/subscribe', jsonPost({ email }, { origin: SITE }));
    const ok = await post('cors@example.com');
    expect(ok.status).toBe(202);
    expect(ok.headers.get('access-control-allow-origin')).toBe(SITE);
    const limited = await post('cors2@example.com');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('access-control-allow-origin')).toBe(SITE);
    expect(limited.headers.get('access-control-expose-headers')).toContain('Retry-After');
  });

  it('does not hand the answer to a script on a foreign origin, though the signup itself is taken', async () => {
    const t = await corsApp();
    const res = await from(t, '203.0.113.71', '/lists/embedded/subscribe', jsonPost({ email: 'x@example.com' }, { origin: 'https://evil.example' }));
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(res.status).toBe(202);
    expect(count(t, 'subscriptions s JOIN lists l ON l.id = s.list_id', "s.key = 'x@example.com' AND l.slug = 'embedded' AND s.state = 'pending'")).toBe(1);
    await t.deliver();
    expect(t.mailer.sent.map((m) => m.to)).toEqual(['x@example.com']);
  });

  it('always accepts a plain form post from a foreign site', async () => {
    const t = await corsApp();
    const res = await from(t, '203.0.113.72', '/lists/newsletter/subscribe', formPost({ email: 'plain@example.com' }, { origin: 'https://anywhere.example', referer: 'https://anywhere.example/page' }));
    expect(res.status).toBe(303);
    expect(count(t, 'subscriptions', "key = 'plain@example.com'")).toBe(1);
  });
});

type PageCase = { name: string; token: boolean; frameable: boolean; get: (t: TestApp) => Response | Promise<Response> };

const pages: PageCase[] = [
  { name: 'signup page', token: false, frameable: true, get: (t) => t.app.request('/lists/newsletter') },
  { name: 'check-inbox page', token: false, frameable: true, get: (t) => t.app.request('/lists/newsletter/check-inbox') },
  { name: 'signup 303', token: false, frameable: true, get: (t) => from(t, '203.0.113.80', '/lists/newsletter/subscribe', formPost({ email: 'h@example.com' })) },
  { name: 'signup error page', token: false, frameable: true, get: (t) => from(t, '203.0.113.81', '/lists/newsletter/subscribe', formPost({ email: 'nope' })) },
  { name: 'confirm page', token: true, frameable: false, get: async (t) => t.app.request(`/confirm?token=${(await pendingSignup(t, 'c@example.com')).confirm}`) },
  { name: 'confirm 303', token: true, frameable: false, get: async (t) => from(t, '192.0.2.9', '/confirm', formPost({ token: (await pendingSignup(t, 'c2@example.com')).confirm })) },
  { name: 'invalid link page', token: true, frameable: false, get: (t) => t.app.request('/confirm?token=abc') },
  { name: 'unsubscribe page', token: true, frameable: false, get: async (t) => t.app.request(`/unsubscribe?token=${(await pendingSignup(t, 'u@example.com')).unsub}`) },
  { name: 'unsubscribed page', token: true, frameable: false, get: async (t) => { const { unsub } = await pendingSignup(t, 'u2@example.com'); return from(t, '192.0.2.9', `/unsubscribe?token=${unsub}`, formPost({})); } },
  { name: 'not-me page', token: true, frameable: false, get: async (t) => t.app.request(`/not-me?token=${(await pendingSignup(t, 'n@example.com')).notMe}`) },
  { name: 'not-me done page', token: true, frameable: false, get: async (t) => from(t, '192.0.2.9', '/not-me', formPost({ token: (await pendingSignup(t, 'n2@example.com')).notMe })) },
  { name: 'confirmed page', token: false, frameable: false, get: (t) => t.app.request('/confirmed?list=newsletter') },
  { name: 'not found page', token: false, frameable: false, get: (t) => t.app.request('/nothing-here') },
  { name: 'JSON problem', token: false, frameable: true, get: (t) => signup(t, 'broken') },
  { name: 'health', token: false, frameable: false, get: (t) => t.app.request('/healthz') },
];

describe('security headers on every page type', () => {
  for (const p of pages) {
    it(`${p.name}: CSP without inline script, no referrer, nosniff, frame protection as meant`, async () => {
      const t = await testApp();
      const res = await p.get(t);
      expect(res.status).toBeLessThan(500);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).not.toContain('unsafe-eval');
      expect(csp).toContain("base-uri 'none'");
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      if (p.frameable) {
        expect(csp).toContain('frame-ancestors *');
        expect(res.headers.get('x-frame-options')).toBeNull();
      } else {
        expect(csp).toContain("frame-ancestors 'none'");
        expect(res.headers.get('x-frame-options')).toBe('DENY');
      }
      if (p.token) expect(res.headers.get('cache-control')).toBe('no-store');
      const type = res.headers.get('content-type') ?? '';
      if (type.includes('text/html')) {
        const html = await res.text();
        expect(html).not.toMatch(/<script/i);
        expect(html).not.toMatch(/\son[a-z]+=/i); // no inline event handlers
        expect(html).toContain('<meta name="referrer" content="no-referrer"/>');
      }
    });
  }

  it('confirm and unsubscribe pages change nothing on GET and carry no script that could submit the form', async () => {
    const t = await testApp();
    const { confirm, unsub } = await pendingSignup(t, 'scan@example.com');
    for (let i = 0; i < 3; i++) {
      await t.app.request(`/confirm?token=${confirm}`);
      await t.app.request(`/unsubscribe?token=${unsub}`);
    }
    expect(count(t, 'subscriptions', "state = 'pending'")).toBe(1);
  });
});
