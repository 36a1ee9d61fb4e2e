import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../deps';
import { setResponseHeader } from '../http/response';
import { TURNSTILE_ORIGIN } from '../pages/turnstile';

export type SecurityHeadersOptions = {
  /** Paths meant to be embedded in other sites: the hosted signup form and the pages it leads to. */
  frameable?: (path: string) => boolean;
  /** Paths whose URLs carry tokens: never cached by anything between us and the person. */
  tokenPage?: (path: string) => boolean;
};

/**
 * The policy for our pages: no script at all unless the page shows a Turnstile widget, and then
 * only Cloudflare's script file; never 'unsafe-inline'. form-action allows http(s) because a list's
 * redirect_pending/redirect_confirmed lies on another site and browsers check redirects too.
 */
export function contentSecurityPolicy(opts: { embed: boolean; turnstile?: boolean }): string {
  const parts = [
    "default-src 'none'",
    "style-src 'self'",
    "img-src 'self' data:",
    "form-action 'self' https: http:",
    "base-uri 'none'",
    `frame-ancestors ${opts.embed ? '*' : "'none'"}`,
  ];
  if (opts.turnstile) parts.push(`script-src ${TURNSTILE_ORIGIN}`, `frame-src ${TURNSTILE_ORIGIN}`, `connect-src ${TURNSTILE_ORIGIN}`);
  return parts.join('; ');
}

/**
 * The operator console's policy: the public one plus the console's own script file (small
 * progressive enhancements served from src/public; still no inline script), and frames from
 * itself only (the mail preview). Forms post only to the console's own origin.
 */
export const CONSOLE_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "frame-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Headers for every answer: a CSP without inline scripts (a route may set a stricter-or-equal one
 * of its own through contentSecurityPolicy; the console sets CONSOLE_POLICY), no referrer (pages
 * carry tokens in their URLs) unless a route chose another policy, no sniffing, and no framing
 * except where embedding is meant (or a route allows its own origin).
 */
export function securityHeaders(options: SecurityHeadersOptions = {}): MiddlewareHandler<AppEnv> {
  const frameable = options.frameable ?? ((path: string) => /^\/lists\/[^/]+(?:\/subscribe|\/check-inbox)?$/.test(path));
  const tokenPage = options.tokenPage ?? ((path: string) => /^\/(?:confirm|unsubscribe|not-me)$/.test(path));
  return async function securityHeadersMiddleware(c, next) {
    await next();
    const embed = frameable(c.req.path);
    if (!c.res.headers.has('Content-Security-Policy')) setResponseHeader(c, 'Content-Security-Policy', contentSecurityPolicy({ embed }));
    if (!c.res.headers.has('Referrer-Policy')) setResponseHeader(c, 'Referrer-Policy', 'no-referrer');
    setResponseHeader(c, 'X-Content-Type-Options', 'nosniff');
    if (!embed && !c.res.headers.has('X-Frame-Options')) setResponseHeader(c, 'X-Frame-Options', 'DENY');
    setResponseHeader(c, 'Cross-Origin-Opener-Policy', 'same-origin');
    if (tokenPage(c.req.path)) setResponseHeader(c, 'Cache-Control', 'no-store');
  };
}
