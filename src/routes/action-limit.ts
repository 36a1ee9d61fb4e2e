import type { Context } from 'hono';
import type { AppEnv } from '../deps';
import { ApiError } from '../errors';
import { clientIp } from '../http';

/**
 * RATE_LIMIT_ACTION_PER_MINUTE for link actions (confirm, not-me, the unsubscribe page) per client
 * address: one bucket shared by all of them, so guessing tokens is slow whichever door is tried.
 */
export async function limitAction(c: Context<AppEnv>): Promise<void> {
  const deps = c.get('deps');
  const perMinute = deps.config.RATE_LIMIT_ACTION_PER_MINUTE;
  const taken = await deps.rateLimiter.take(`action:${clientIp(c)}`, { burst: perMinute, perMinute });
  if (!taken.ok) {
    throw new ApiError('rate_limited', 'Too many requests from here. Try again in a minute.', {
      headers: { 'Retry-After': String(taken.retryAfterSeconds) },
    });
  }
}
