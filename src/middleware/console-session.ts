import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { Config } from '../config';
import type { ConsoleEnv } from '../deps';
import { setResponseHeader } from '../http/response';
import { consoleLang } from '../i18n/console';
import { resumeSession } from '../services/console-sessions';
import { CONSOLE_POLICY } from './security-headers';

const secure = (config: Config) => config.PUBLIC_URL.startsWith('https:');

/**
 * The session cookie: HttpOnly, SameSite=Strict, no lifetime of its own (the server ends the
 * session). Over https it is `Secure` and `__Host-` (bound to this host, path /); over plain http
 * (development) it is scoped to /admin.
 */
function cookieOptions(config: Config) {
  return secure(config)
    ? { name: '__Host-listgate_console', opts: { httpOnly: true, secure: true, sameSite: 'Strict', path: '/' } as const }
    : { name: 'listgate_console', opts: { httpOnly: true, secure: false, sameSite: 'Strict', path: '/admin' } as const };
}

export function setSessionCookie(c: Context<ConsoleEnv>, token: string): void {
  const { name, opts } = cookieOptions(c.get('deps').config);
  setCookie(c, name, token, opts);
}

export function clearSessionCookie(c: Context<ConsoleEnv>): void {
  const { name, opts } = cookieOptions(c.get('deps').config);
  deleteCookie(c, name, opts);
}

export const sessionCookie = (c: Context<ConsoleEnv>) => getCookie(c, cookieOptions(c.get('deps').config).name);

/**
 * What every console answer carries: the console's CSP (its own script file allowed), no caching
 * (pages show keys and addresses), and a same-origin referrer policy so that the browser sends
 * `Origin` with the console's own form posts (sameOrigin checks it). The page language comes from
 * `?lang=` (remembered in a cookie), else that cookie, else the browser's languages.
 */
export function consolePages(): MiddlewareHandler<ConsoleEnv> {
  return async function consolePagesMiddleware(c, next) {
    const asked = c.req.query('lang');
    if (asked === 'en' || asked === 'ja') setCookie(c, 'listgate_lang', asked, { path: '/admin', sameSite: 'Strict', httpOnly: true, secure: secure(c.get('deps').config), maxAge: 365 * 86400 });
    c.set('lang', consoleLang(asked ?? getCookie(c, 'listgate_lang'), c.req.header('accept-language')));
    await next();
    if (!c.res.headers.has('Content-Security-Policy')) setResponseHeader(c, 'Content-Security-Policy', CONSOLE_POLICY);
    setResponseHeader(c, 'Referrer-Policy', 'same-origin');
    setResponseHeader(c, 'Cache-Control', 'no-store');
  };
}

/**
 * The console's auth: the session the cookie names, checked on the server on every request (see
 * resumeSession). Without one, pages send the browser to the sign-in form and nothing else runs.
 */
export function requireSession(): MiddlewareHandler<ConsoleEnv> {
  return async function requireSessionMiddleware(c, next) {
    const token = sessionCookie(c);
    const session = await resumeSession(c.get('deps'), token);
    if (!session) {
      if (token) clearSessionCookie(c);
      return c.redirect(token ? '/admin/sign-in?ended=1' : '/admin/sign-in', 303);
    }
    c.set('session', session);
    c.set('principal', session.principal);
    await next();
  };
}
