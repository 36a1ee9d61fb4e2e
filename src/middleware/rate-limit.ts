import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from '../deps';
import { ApiError } from '../errors';
import { clientIp } from '../http/request';

export type Limit = { burst: number; perMinute: number };

/**
 * The part of a client address a rate limit keys on. One IPv6 host usually owns a whole /64,
 * so keying on the full address would hand it 2^64 fresh buckets (and evict everyone else's).
 */
export function rateKeyOf(ip: string): string {
  const addr = ip.trim().toLowerCase().slice(0, 64);
  if (!addr.includes(':') || /^::ffff:\d+\.\d+\.\d+\.\d+$/.test(addr)) return addr.replace(/^::ffff:/, '');
  const [head, tail = ''] = addr.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = addr.includes('::') ? [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

/** Takes one token from each bucket in order; the first empty one answers 429 with Retry-After. */
export async function enforceLimits(c: Context<AppEnv>, buckets: Array<{ key: string; limit: Limit }>, detail: string): Promise<void> {
  const { rateLimiter } = c.get('deps');
  for (const { key, limit } of buckets) {
    const taken = await rateLimiter.take(key, limit);
    if (!taken.ok) throw new ApiError('rate_limited', detail, { headers: { 'Retry-After': String(taken.retryAfterSeconds) } });
  }
}

export type ActionRateLimitOptions = {
  /** Requests that skip the limit (e.g. RFC 8058 one-click unsubscribes from mailbox providers). */
  skip?: (c: Context<AppEnv>) => boolean | Promise<boolean>;
};

/**
 * RATE_LIMIT_ACTION_PER_MINUTE per client address, shared by the token endpoints
 * (confirm, unsubscribe, not-me): one bucket, so a scanner cannot spread its clicks across them.
 */
export function actionRateLimit(options: ActionRateLimitOptions = {}): MiddlewareHandler<AppEnv> {
  return async function actionRateLimitMiddleware(c, next) {
    if (c.req.method === 'POST' && !(await options.skip?.(c))) {
      const perMinute = c.get('deps').config.RATE_LIMIT_ACTION_PER_MINUTE;
      await enforceLimits(c, [{ key: `action:${rateKeyOf(clientIp(c))}`, limit: { burst: perMinute, perMinute } }], 'Too many requests from here. Try again later.');
    }
    await next();
  };
}
