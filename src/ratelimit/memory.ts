import type { Clock, RateLimiter } from '../deps';
import { type BucketLimit, debtFloor, refilled, reservedDelayMs, retryAfterSeconds } from '../domain/rate-bucket';

type Bucket = { tokens: number; at: number };

/** Token buckets in process memory: exact for one Node process, which is the Node deployment. */
export function memoryRateLimiter(clock: Clock, maxKeys = 100_000): RateLimiter {
  const buckets = new Map<string, Bucket>();
  /** The bucket refilled to now, moved to the back of the Map (least-recently-used first; evict from the front). */
  const current = (key: string, limit: BucketLimit): Bucket => {
    const now = clock.now();
    const b = buckets.get(key) ?? { tokens: limit.burst, at: now };
    b.tokens = refilled(limit, b.tokens, b.at, now);
    b.at = now;
    buckets.delete(key);
    buckets.set(key, b);
    if (buckets.size > maxKeys) buckets.delete(buckets.keys().next().value!);
    return b;
  };
  return {
    async reserve(key, limit) {
      const b = current(key, limit);
      b.tokens = Math.max(debtFloor(limit), b.tokens - 1);
      return { delayMs: reservedDelayMs(limit, b.tokens) };
    },
    async take(key, limit) {
      const b = current(key, limit);
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return { ok: true };
      }
      return { ok: false, retryAfterSeconds: retryAfterSeconds(limit, b.tokens) };
    },
  };
}
