import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../deps';

export type SecurityHeadersOptions = { frameable?: (path: string) => boolean };

/**
 * Headers for every answer: a CSP without inline scripts, no referrer (pages carry tokens in
 * their URLs), no sniffing, and no framing except where embedding is meant.
 */
export function securityHeaders(options: SecurityHeadersOptions = {}): MiddlewareHandler<AppEnv> {
  const frameable = options.frameable ?? ((path: string) => /^\/lists\/[^/]+$/.test(path));
  return async function securityHeadersMiddleware(c, next) {
    await next();
    const embed = frameable(c.req.path);
    c.header(
      'Content-Security-Policy',
      `default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self' https: http:; base-uri 'none'; frame-ancestors ${embed ? '*' : "'none'"}`,
    );
    c.header('Referrer-Policy', 'no-referrer');
    c.header('X-Content-Type-Options', 'nosniff');
    if (!embed) c.header('X-Frame-Options', 'DENY');
    c.header('Cross-Origin-Opener-Policy', 'same-origin');
  };
}
