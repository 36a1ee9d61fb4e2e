import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../deps';

/** One line per request. Logs the path only: query strings carry tokens and never reach the log. */
export function requestLog(): MiddlewareHandler<AppEnv> {
  return async function requestLogMiddleware(c, next) {
    const started = performance.now();
    await next();
    c.get('deps').logger.info('request', {
      requestId: c.get('requestId'),
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms: Math.round((performance.now() - started) * 10) / 10,
    });
  };
}
