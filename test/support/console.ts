import type { TestApp } from './app';
import { ADMIN } from './operator';

/** The console's origin in tests: PUBLIC_URL's (adminEnv), which sameOrigin accepts. */
export const CONSOLE_ORIGIN = 'https://lists.example.org';

export type ConsoleSession = { cookie: string; csrf: string; setCookie: string };

/** The Set-Cookie of a console answer that carries the session cookie. */
export const sessionCookieOf = (res: Response) => res.headers.getSetCookie().find((c) => /listgate_console=/.test(c));

/** Signs in to the console with `key` (ADMIN_TOKEN by default) as a browser would; answers the cookie and the CSRF token of its forms. */
export async function signIn(t: TestApp, key = ADMIN, ip = '203.0.113.9'): Promise<ConsoleSession> {
  const res = await t.app.request('/admin/sign-in', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: CONSOLE_ORIGIN }, body: new URLSearchParams({ key }).toString() }, { clientIp: ip });
  const setCookie = sessionCookieOf(res);
  if (res.status !== 303 || !setCookie) throw new Error(`sign-in: ${res.status} ${await res.text()}`);
  const cookie = setCookie.split(';')[0];
  const page = await t.app.request('/admin', { headers: { cookie } });
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1];
  if (!csrf) throw new Error('no CSRF token on the overview');
  return { cookie, csrf, setCookie };
}

/** A console page as the signed-in browser asks for it. */
export const consoleGet = (t: TestApp, s: Pick<ConsoleSession, 'cookie'>, path: string) => t.app.request(path, { headers: { cookie: s.cookie } });

/**
 * A console form post: the session's cookie, its CSRF token unless `csrf: null`, and the console's
 * own Origin unless another (or none: null) is given.
 */
export function consolePost(t: TestApp, s: ConsoleSession, path: string, fields: Record<string, string> = {}, opts: { origin?: string | null; csrf?: string | null } = {}) {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', cookie: s.cookie };
  const origin = opts.origin === undefined ? CONSOLE_ORIGIN : opts.origin;
  if (origin !== null) headers.origin = origin;
  const csrf = opts.csrf === undefined ? s.csrf : opts.csrf;
  const body = new URLSearchParams({ ...fields, ...(csrf === null ? {} : { _csrf: csrf }) });
  return t.app.request(path, { method: 'POST', headers, body: body.toString() }, { clientIp: '203.0.113.9' });
}

/**
 * The console's import form as a browser posts it: multipart/form-data with the small fields first
 * and the file last (`file: null` sends no file), the session's cookie, CSRF token and Origin.
 */
export function consoleUpload(
  t: TestApp,
  s: ConsoleSession,
  path: string,
  fields: Record<string, string>,
  file: { name: string; text: string; type?: string } | null,
  opts: { origin?: string | null; csrf?: string | null } = {},
) {
  const form = new FormData();
  const csrf = opts.csrf === undefined ? s.csrf : opts.csrf;
  if (csrf !== null) form.append('_csrf', csrf);
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  if (file) form.append('file', new File([file.text], file.name, { type: file.type ?? 'text/csv' }));
  const origin = opts.origin === undefined ? CONSOLE_ORIGIN : opts.origin;
  const headers: Record<string, string> = { cookie: s.cookie, ...(origin === null ? {} : { origin }) };
  return t.app.request(path, { method: 'POST', headers, body: form }, { clientIp: '203.0.113.9' });
}
