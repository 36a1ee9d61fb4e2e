import { describe, expect, it } from 'vitest';
import { testApp } from '../../support/app';
import { CONSOLE_ORIGIN, consoleGet, consolePost, sessionCookieOf, signIn } from '../../support/console';
import { ADMIN, adminEnv, api, apiKey, makeKey } from '../../support/operator';

const signInPost = (key: string, ip = '203.0.113.20') => [
  '/admin/sign-in',
  { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: CONSOLE_ORIGIN }, body: new URLSearchParams({ key }).toString() },
  { clientIp: ip },
] as const;

describe('console sessions', () => {
  it('sends a browser without a session to the sign-in form, which has a field named key', async () => {
    const t = await testApp(adminEnv);
    const res = await t.app.request('/admin');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/admin/sign-in');
    const page = await t.app.request('/admin/sign-in');
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<input id="key" name="key" type="password"/);
  });

  it('keeps the session in an HttpOnly, SameSite=Strict, Secure __Host- cookie when PUBLIC_URL is https', async () => {
    const t = await testApp(adminEnv);
    const { setCookie } = await signIn(t);
    expect(setCookie).toMatch(/^__Host-listgate_console=[A-Za-z0-9_-]{43};/);
    expect(setCookie).toMatch(/; HttpOnly/);
    expect(setCookie).toMatch(/; SameSite=Strict/);
    expect(setCookie).toMatch(/; Secure/);
    expect(setCookie).toMatch(/; Path=\//);
    expect(setCookie).not.toMatch(/Max-Age|Expires|Domain/i);
  });

  it('leaves Secure off over plain http (development) and scopes the cookie to /admin', async () => {
    const t = await testApp({ ADMIN_TOKEN: ADMIN, PUBLIC_URL: 'http://localhost:3000' });
    const res = await t.app.request('/admin/sign-in', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost:3000' }, body: `key=${ADMIN}` });
    const cookie = sessionCookieOf(res)!;
    expect(cookie).toMatch(/^listgate_console=.*; Path=\/admin; HttpOnly; SameSite=Strict$/);
    expect(cookie).not.toMatch(/Secure/);
  });

  it('keeps only a hash of the session secret on the server', async () => {
    const t = await testApp(adminEnv);
    const { cookie } = await signIn(t);
    const secret = cookie.split('=')[1];
    const rows = t.sqlite.sqlite.prepare('SELECT * FROM admin_sessions').all() as Array<Record<string, unknown>>;
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(secret);
    expect(rows[0].key_id).toBe('ADMIN_TOKEN');
  });

  it('replaces the session of a browser that signs in again', async () => {
    const t = await testApp(adminEnv);
    const first = await signIn(t);
    const again = await t.app.request('/admin/sign-in', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: CONSOLE_ORIGIN, cookie: first.cookie }, body: `key=${ADMIN}` });
    expect(again.status).toBe(303);
    expect((await consoleGet(t, first, '/admin')).status).toBe(303);
    expect(t.sqlite.sqlite.prepare('SELECT count(*) AS n FROM admin_sessions').get()).toEqual({ n: 1 });
  });

  it('refuses an unknown key (401) and a key without the admin scope (403), setting no cookie', async () => {
    const t = await testApp(adminEnv);
    const unknown = await t.app.request(...signInPost('lg_not-a-key'));
    expect(unknown.status).toBe(401);
    expect(await unknown.text()).toContain('This key is unknown or revoked.');
    const exportKey = await apiKey(t, ['export']);
    const notAdmin = await t.app.request(...signInPost(exportKey));
    expect(notAdmin.status).toBe(403);
    expect(await notAdmin.text()).toContain('This key has no admin scope.');
    expect(sessionCookieOf(unknown)).toBeUndefined();
    expect(sessionCookieOf(notAdmin)).toBeUndefined();
  });

  it('limits sign-in attempts per client address (429 with Retry-After), and others can still sign in', async () => {
    const t = await testApp(adminEnv);
    const answers: number[] = [];
    for (let i = 0; i < 12; i++) answers.push((await t.app.request(...signInPost('lg_wrong', '198.51.100.7'))).status);
    expect(answers.slice(0, 10)).toEqual(Array(10).fill(401));
    const limited = await t.app.request(...signInPost(ADMIN, '198.51.100.7'));
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(sessionCookieOf(limited)).toBeUndefined();
    expect((await t.app.request(...signInPost(ADMIN, '198.51.100.8'))).status).toBe(303);
  });

  it('ends a session after ADMIN_SESSION_IDLE_MINUTES without a request, and keeps it while it is used', async () => {
    const t = await testApp({ ...adminEnv, ADMIN_SESSION_IDLE_MINUTES: '30' });
    const s = await signIn(t);
    for (let i = 0; i < 4; i++) {
      t.clock.advance(20 * 60_000);
      expect((await consoleGet(t, s, '/admin')).status).toBe(200);
    }
    t.clock.advance(31 * 60_000);
    const res = await consoleGet(t, s, '/admin');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/admin/sign-in?ended=1');
    expect(t.sqlite.sqlite.prepare('SELECT count(*) AS n FROM admin_sessions').get()).toEqual({ n: 0 });
  });

  it('ends a session ADMIN_SESSION_MAX_HOURS after sign-in, however busy', async () => {
    const t = await testApp({ ...adminEnv, ADMIN_SESSION_MAX_HOURS: '2' });
    const s = await signIn(t);
    for (let i = 0; i < 7; i++) {
      t.clock.advance(15 * 60_000);
      expect((await consoleGet(t, s, '/admin')).status).toBe(200);
    }
    t.clock.advance(16 * 60_000);
    expect((await consoleGet(t, s, '/admin')).status).toBe(303);
  });

  it('has housekeeping delete sessions that ended without a sign-out', async () => {
    const t = await testApp(adminEnv);
    await signIn(t);
    t.clock.advance(10 * 60_000);
    const live = await signIn(t);
    t.clock.advance(25 * 60_000);
    await t.maintain();
    expect(t.sqlite.sqlite.prepare('SELECT count(*) AS n FROM admin_sessions').get()).toEqual({ n: 1 });
    expect((await consoleGet(t, live, '/admin')).status).toBe(200);
  });

  it('signs out on the server: the old cookie opens nothing afterwards', async () => {
    const t = await testApp(adminEnv);
    const s = await signIn(t);
    const out = await consolePost(t, s, '/admin/sign-out');
    expect(out.status).toBe(303);
    expect(out.headers.get('location')).toBe('/admin/sign-in?out=1');
    expect(sessionCookieOf(out)).toMatch(/Max-Age=0/);
    expect((await consoleGet(t, s, '/admin')).status).toBe(303);
  });

  it('ends every session of a key when the key is revoked (through the API too)', async () => {
    const t = await testApp(adminEnv);
    const { id, key } = await makeKey(t, ['admin']);
    const s = await signIn(t, key);
    expect((await consoleGet(t, s, '/admin/keys')).status).toBe(200);
    expect((await api(t, 'DELETE', `/v1/keys/${id}`)).status).toBe(204);
    expect((await consoleGet(t, s, '/admin/keys')).status).toBe(303);
  });

  it('ends ADMIN_TOKEN sessions when ADMIN_TOKEN changes', async () => {
    const t = await testApp(adminEnv);
    const s = await signIn(t);
    t.deps.config.ADMIN_TOKEN = 'another-admin-token-0123456789abcdef';
    expect((await consoleGet(t, s, '/admin')).status).toBe(303);
  });

  it('ends a session whose key lost the admin scope', async () => {
    const t = await testApp(adminEnv);
    const key = await apiKey(t, ['admin']);
    const s = await signIn(t, key);
    t.sqlite.sqlite.prepare(`UPDATE api_keys SET scopes = '["export"]'`).run();
    expect((await consoleGet(t, s, '/admin')).status).toBe(303);
  });

  it('shows when a key was last used, console use included', async () => {
    const t = await testApp(adminEnv);
    const { id, key } = await makeKey(t, ['admin']);
    const s = await signIn(t, key);
    t.clock.advance(5 * 60_000);
    await consoleGet(t, s, '/admin');
    const row = t.sqlite.sqlite.prepare('SELECT last_used_at AS at FROM api_keys WHERE id = ?').get(id) as { at: number };
    expect(row.at).toBe(t.clock.now());
  });
});
