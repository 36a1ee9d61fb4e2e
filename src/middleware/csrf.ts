import type { Context, MiddlewareHandler } from 'hono';
import type { ConsoleEnv } from '../deps';
import { safeEqual } from '../domain/ids';
import { ApiError } from '../errors';
import { readBody } from '../http/request';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The refusal of a state change that did not come from the console's own pages (the page names it). */
export const crossSiteRefusal = () => new ApiError('forbidden', 'This request did not come from the console’s own pages.', { extra: { reason: 'csrf' } });

/**
 * The origins the console's pages live at: PUBLIC_URL's, and the one this request was sent to
 * (a browser on http://127.0.0.1:3000 while PUBLIC_URL says localhost). A page elsewhere cannot
 * send either: browsers set `Origin` themselves.
 */
function ownOrigins(c: Context<ConsoleEnv>): string[] {
  return [new URL(c.get('deps').config.PUBLIC_URL).origin, new URL(c.req.url).origin];
}

/**
 * Refuses every state-changing request whose `Origin` is not the console's own, whatever its
 * content type (hono's csrf middleware checks form posts only). A request without `Origin` passes
 * only when the browser says it is same-origin (`Sec-Fetch-Site`); tools that send neither are
 * not the console's pages. The console's pages use `Referrer-Policy: same-origin`, under which
 * browsers send `Origin` on their own posts (with `no-referrer` they would send `null`).
 */
export function sameOrigin(): MiddlewareHandler<ConsoleEnv> {
  return async function sameOriginMiddleware(c, next) {
    if (!SAFE.has(c.req.method)) {
      const origin = c.req.header('origin');
      const ok = origin ? ownOrigins(c).includes(origin) : c.req.header('sec-fetch-site') === 'same-origin';
      if (!ok) throw crossSiteRefusal();
    }
    await next();
  };
}

/** The `_csrf` field of a form body, without failing on a body that is not a form. */
async function sentToken(c: Context<ConsoleEnv>): Promise<string | undefined> {
  const header = c.req.header('x-csrf-token');
  if (header) return header;
  try {
    const field = (await readBody(c))._csrf;
    return typeof field === 'string' ? field : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The second lock, after sameOrigin and the session: every state-changing request carries the
 * session's own CSRF token (a hidden `_csrf` field in every console form), compared in constant time.
 */
export function csrfToken(): MiddlewareHandler<ConsoleEnv> {
  return async function csrfTokenMiddleware(c, next) {
    if (!SAFE.has(c.req.method)) {
      const expected = c.get('session')?.csrf;
      const sent = await sentToken(c);
      if (!expected || !sent || !safeEqual(sent, expected)) throw crossSiteRefusal();
    }
    await next();
  };
}
