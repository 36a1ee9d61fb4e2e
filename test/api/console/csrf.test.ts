import { describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../../support/app';
import { CONSOLE_ORIGIN, consolePost, type ConsoleSession, signIn } from '../../support/console';
import { confirmed } from '../../support/flow';
import { adminEnv } from '../../support/operator';

const count = (t: TestApp, sql: string) => (t.sqlite.sqlite.prepare(sql).get() as { n: number }).n;

/** Every state change the console offers, with what it would change (read before and after). */
const changes: Array<{ name: string; path: string; fields: Record<string, string>; state: (t: TestApp) => unknown }> = [
  { name: 'saving settings', path: '/admin/lists/newsletter/settings', fields: { name: 'Hijacked', language: 'en' }, state: (t) => t.sqlite.sqlite.prepare("SELECT name FROM lists WHERE slug = 'newsletter'").get() },
  { name: 'creating a list', path: '/admin/lists', fields: { slug: 'evil', name: 'Evil' }, state: (t) => count(t, 'SELECT count(*) AS n FROM lists') },
  { name: 'making a key', path: '/admin/keys', fields: { scope_admin: '1' }, state: (t) => count(t, 'SELECT count(*) AS n FROM api_keys') },
  { name: 'suppressing an address', path: '/admin/suppressions', fields: { email: 'victim@example.com' }, state: (t) => count(t, 'SELECT count(*) AS n FROM suppressions') },
  { name: 'erasing an address', path: '/admin/subscribers/erase', fields: { email: 'ada@example.com', confirm: 'erase' }, state: (t) => count(t, 'SELECT count(*) AS n FROM subscriptions') },
  { name: 'unsubscribing an address', path: '/admin/subscribers/unsubscribe', fields: { email: 'ada@example.com', list: 'newsletter' }, state: (t) => t.sqlite.sqlite.prepare('SELECT state FROM subscriptions').all() },
  { name: 'deleting a list', path: '/admin/lists/newsletter/delete', fields: { confirm: 'newsletter' }, state: (t) => count(t, 'SELECT count(*) AS n FROM lists') },
  { name: 'making a webhook', path: '/admin/webhooks', fields: { url: 'https://hooks.example.com/x', 'event_subscriber.confirmed': '1' }, state: (t) => count(t, 'SELECT count(*) AS n FROM webhooks') },
  { name: 'signing out', path: '/admin/sign-out', fields: {}, state: (t) => count(t, 'SELECT count(*) AS n FROM admin_sessions') },
];

async function setUp() {
  const t = await testApp(adminEnv);
  await confirmed(t, 'ada@example.com');
  return { t, s: await signIn(t) };
}

async function refused(t: TestApp, s: ConsoleSession, c: (typeof changes)[number], opts: Parameters<typeof consolePost>[4]) {
  const before = JSON.stringify(c.state(t));
  const res = await consolePost(t, s, c.path, c.fields, opts);
  expect(res.status, c.name).toBe(403);
  expect(await res.text()).toContain('This form has expired');
  expect(JSON.stringify(c.state(t)), c.name).toBe(before);
}

describe('console: refusing cross-site state changes', () => {
  it.each(changes)('refuses $name from a foreign Origin, token or not, and changes nothing', async (c) => {
    const { t, s } = await setUp();
    await refused(t, s, c, { origin: 'https://evil.example' });
    await refused(t, s, c, { origin: 'null' });
  });

  it.each(changes)('refuses $name without the CSRF token, or with another session’s, and changes nothing', async (c) => {
    const { t, s } = await setUp();
    await refused(t, s, c, { csrf: null });
    const other = await signIn(t);
    await refused(t, s, c, { csrf: other.csrf });
  });

  it.each(changes)('does $name when the post is the console’s own (so the refusals above are refusals)', async (c) => {
    const { t, s } = await setUp();
    const before = JSON.stringify(c.state(t));
    const res = await consolePost(t, s, c.path, c.fields);
    expect(res.status).toBeLessThan(400);
    expect(JSON.stringify(c.state(t))).not.toBe(before);
  });

  it('refuses a post with neither Origin nor Sec-Fetch-Site (not a browser on the console’s pages)', async () => {
    const { t, s } = await setUp();
    await refused(t, s, changes[0], { origin: null });
  });

  it('accepts the console’s own posts: its Origin (or the request’s own), or Sec-Fetch-Site same-origin, with the token', async () => {
    const { t, s } = await setUp();
    expect((await consolePost(t, s, '/admin/suppressions', { email: 'one@example.com' })).status).toBe(200);
    expect((await consolePost(t, s, '/admin/suppressions', { email: 'two@example.com' }, { origin: 'http://localhost' })).status).toBe(200);
    const res = await t.app.request('/admin/suppressions', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: s.cookie, 'sec-fetch-site': 'same-origin' },
      body: new URLSearchParams({ email: 'three@example.com', _csrf: s.csrf }).toString(),
    });
    expect(res.status).toBe(200);
    expect(count(t, 'SELECT count(*) AS n FROM suppressions')).toBe(3);
  });

  it('refuses a sign-in posted from another site', async () => {
    const t = await testApp(adminEnv);
    const res = await t.app.request('/admin/sign-in', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' }, body: `key=${adminEnv.ADMIN_TOKEN}` });
    expect(res.status).toBe(403);
    expect(res.headers.getSetCookie()).toEqual([]);
    expect(count(t, 'SELECT count(*) AS n FROM admin_sessions')).toBe(0);
  });

  it('answers with the console’s CSP (its own script), no caching, and a same-origin referrer policy; public pages keep theirs', async () => {
    const { t, s } = await setUp();
    const res = await t.app.request('/admin', { headers: { cookie: s.cookie } });
    expect(res.headers.get('content-security-policy')).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    );
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('referrer-policy')).toBe('same-origin');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    const publicPage = await t.app.request('/lists/newsletter');
    expect(publicPage.headers.get('content-security-policy')).not.toContain('script-src');
    expect(publicPage.headers.get('referrer-policy')).toBe('no-referrer');
    expect(CONSOLE_ORIGIN).toBe(adminEnv.PUBLIC_URL);
  });
});
