import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedPortUrl, startSiteverify } from '../../support/fakes/siteverify';
import { from, testApp } from '../../support/app';
import { count } from '../../support/flow';
import { makeList } from '../../support/operator';
import { formPost, jsonPost, multipartPost } from '../../support/requests';

const SECRET = '0x4AAAAAAAtest-secret';
const path = '/lists/guarded/subscribe';

describe('Turnstile against a local siteverify', () => {
  let verifier: Awaited<ReturnType<typeof startSiteverify>>;
  beforeAll(async () => {
    verifier = await startSiteverify(SECRET);
  });
  afterAll(() => verifier.close());

  async function guardedApp(url = verifier.url, env: Record<string, string> = {}) {
    const t = await testApp({ TURNSTILE_VERIFY_URL: url, TURNSTILE_TIMEOUT_MS: '300', ...env }, { fetch: globalThis.fetch.bind(globalThis) });
    await makeList(t, 'guarded', { turnstileSiteKey: '0x4AAAAAAAsite', turnstileSecret: SECRET });
    return t;
  }

  it('accepts a signup whose token the verifier passes, sending secret, response and the client address', async () => {
    verifier.setMode('pass');
    const t = await guardedApp();
    const before = verifier.requests.length;
    const res = await from(t, '203.0.113.44', path, jsonPost({ email: 'ok@example.com', 'cf-turnstile-response': 'pass-123' }));
    expect(res.status).toBe(202);
    expect(verifier.requests.slice(before)).toEqual([{ secret: SECRET, response: 'pass-123', remoteip: '203.0.113.44' }]);
    expect(count(t, 'subscriptions', "key = 'ok@example.com'")).toBe(1);
  });

  it('verifies form and multipart posts the same way', async () => {
    verifier.setMode('pass');
    const t = await guardedApp();
    expect((await from(t, '203.0.113.45', path, formPost({ email: 'f@example.com', 'cf-turnstile-response': 'pass-f' }))).status).toBe(303);
    const mp = await from(t, '203.0.113.46', path, multipartPost({ email: 'm@example.com', 'cf-turnstile-response': 'nope' }, { accept: 'application/json' }));
    expect(mp.status).toBe(422);
    expect(count(t, 'subscriptions')).toBe(1);
  });

  it('refuses a token the verifier fails with 422 naming the field, and stores nothing', async () => {
    verifier.setMode('fail');
    const t = await guardedApp();
    const res = await from(t, '203.0.113.47', path, jsonPost({ email: 'bad@example.com', 'cf-turnstile-response': 'pass-but-rejected' }));
    expect(res.status).toBe(422);
    expect(((await res.json()) as any).errors).toEqual([expect.objectContaining({ field: 'cf-turnstile-response', code: 'captcha_failed' })]);
    expect(count(t, 'subscriptions')).toBe(0);
    await t.deliver();
    expect(t.mailer.sent).toHaveLength(0);
  });

  it('refuses a missing token with 422 without asking the verifier', async () => {
    verifier.setMode('pass');
    const t = await guardedApp();
    const before = verifier.requests.length;
    const res = await from(t, '203.0.113.48', path, jsonPost({ email: 'none@example.com' }));
    expect(res.status).toBe(422);
    expect(((await res.json()) as any).errors[0]).toMatchObject({ field: 'cf-turnstile-response', code: 'required' });
    expect(verifier.requests.length).toBe(before);
  });

  it('refuses with 503 and Retry-After when the verifier is unreachable (closed port), never accepting blindly', async () => {
    const t = await guardedApp(await closedPortUrl());
    const res = await from(t, '203.0.113.49', path, jsonPost({ email: 'down@example.com', 'cf-turnstile-response': 'pass-1' }));
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('30');
    expect(((await res.json()) as any).detail).toMatch(/challenge could not be checked/);
    expect(count(t, 'subscriptions')).toBe(0);
  });

  it('refuses with 503 when the verifier does not answer in time', async () => {
    verifier.setMode('hang');
    const t = await guardedApp();
    const abandoned = verifier.abandoned();
    const res = await from(t, '203.0.113.50', path, jsonPost({ email: 'slow@example.com', 'cf-turnstile-response': 'pass-1' }));
    expect(res.status).toBe(503);
    // The service gave up on the check itself (its TURNSTILE_TIMEOUT_MS) and closed the connection.
    await expect.poll(() => verifier.abandoned()).toBe(abandoned + 1);
    expect(count(t, 'subscriptions')).toBe(0);
  });

  it('refuses with 503 when the verifier answers an error or something that is not JSON', async () => {
    const t = await guardedApp();
    for (const mode of ['error', 'garbage'] as const) {
      verifier.setMode(mode);
      const res = await from(t, '203.0.113.51', path, jsonPost({ email: `${mode}@example.com`, 'cf-turnstile-response': 'pass-1' }));
      expect(res.status, mode).toBe(503);
    }
    expect(count(t, 'subscriptions')).toBe(0);
  });

  it('leaves lists without a secret alone (no verifier call)', async () => {
    verifier.setMode('fail');
    const t = await guardedApp();
    const before = verifier.requests.length;
    expect((await from(t, '203.0.113.52', '/lists/newsletter/subscribe', jsonPost({ email: 'plain@example.com' }))).status).toBe(202);
    expect(verifier.requests.length).toBe(before);
  });

  it('shows the widget on the hosted page and allows only Cloudflare script there, no inline script', async () => {
    const t = await guardedApp();
    const res = await t.app.request('/lists/guarded');
    const html = await res.text();
    expect(html).toContain('class="cf-turnstile" data-sitekey="0x4AAAAAAAsite"');
    expect(html).toMatch(/<script src="https:\/\/challenges\.cloudflare\.com\/turnstile\/v0\/api\.js"[^>]*><\/script>/);
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain('script-src https://challenges.cloudflare.com');
    expect(csp).not.toContain('unsafe-inline');
    const plain = await t.app.request('/lists/newsletter');
    expect(plain.headers.get('content-security-policy')).not.toContain('script-src');
    expect(await plain.text()).not.toContain('<script');
  });
});
