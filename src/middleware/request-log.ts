import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../deps';

/**
 * The path as logged: a segment that holds an address (`/v1/subscribers/{email}`, also
 * percent-encoded) is replaced, so an erased address does not live on in the log.
 */
export function loggedPath(path: string): string {
  return path.replace(/[^/]*(?:@|%40)[^/]*/gi, '[email]');
}

/** One line per request. Logs the path only: query strings carry tokens and never reach the log. */
export function requestLog(): MiddlewareHandler<AppEnv> {
  return async function requestLogMiddleware(c, next) {
    const started = performance.now();
    await next();
    c.get('deps').logger.info('request', {
      requestId: c.get('requestId'),
      method: c.req.method,
      path: loggedPath(c.req.path),
      status: c.res.status,
      ms: Math.round((performance.now() - started) * 10) / 10,
    });
  };
}
