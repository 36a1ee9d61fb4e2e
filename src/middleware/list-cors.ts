import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../deps';
import { setResponseHeader } from '../http/response';
import { listOfRequest } from './list';

export type ListCorsOptions = { maxAge?: number; methods?: string[]; headers?: string[] };

/**
 * CORS per list from `allowed_origins`: only a listed origin is echoed back (never `*`), preflights
 * for other origins get no CORS headers, and plain form posts (no CORS involved) always pass.
 */
export function listCors(options: ListCorsOptions = {}): MiddlewareHandler<AppEnv> {
  const opts = { maxAge: 600, methods: ['POST', 'OPTIONS'], headers: ['Content-Type', 'Accept'], ...options };
  return async function listCorsMiddleware(c, next) {
    const origin = c.req.header('origin');
    const slug = c.req.param('list');
    let allowed = false;
    if (origin && slug) {
      const list = await listOfRequest(c);
      allowed = !!list && list.allowedOrigins.includes(origin);
    }
    if (c.req.method === 'OPTIONS') {
      if (!allowed) return c.body(null, 204, { Vary: 'Origin' });
      return c.body(null, 204, {
        'Access-Control-Allow-Origin': origin!,
        'Access-Control-Allow-Methods': opts.methods.join(', '),
        'Access-Control-Allow-Headers': opts.headers.join(', '),
        'Access-Control-Max-Age': String(opts.maxAge),
        Vary: 'Origin',
      });
    }
    await next();
    setResponseHeader(c, 'Vary', 'Origin', { append: true });
    if (allowed) {
      setResponseHeader(c, 'Access-Control-Allow-Origin', origin!);
      // Scripts may read Retry-After of a 429 only when it is exposed.
      setResponseHeader(c, 'Access-Control-Expose-Headers', 'Retry-After');
    }
  };
}
