import type { Clock, RateLimiter } from '../deps';
import { type BucketLimit, debtFloor, refilled, reservedDelayMs, retryAfterSeconds } from '../domain/rate-bucket';

type Bucket = { tokens: number; at: number; limit: BucketLimit };

/**
 * Token buckets in process memory: exact for one Node process, which is the Node deployment.
 * A bucket that has refilled to its burst says nothing an absent one would not, so when the map
 * reaches `maxKeys` those are dropped; if that frees too little, the oldest buckets go too. A
 * request touches its bucket in place (a profile showed moving it to the back of the Map on every
 * request, for least-recently-used order, costing 1-2 % of a signup).
 */
export function memoryRateLimiter(clock: Clock, maxKeys = 100_000): RateLimiter {
  const buckets = new Map<string, Bucket>();
  const sweep = (now: number) => {
    for (const [key, b] of buckets) if (refilled(b.limit, b.tokens, b.at, now) >= b.limit.burst) buckets.delete(key);
    // Room for a tenth more before the next sweep, so sweeps stay rare under a flood of new keys.
    const keep = Math.floor(maxKeys * 0.9);
    for (const key of buckets.keys()) {
      if (buckets.size <= keep) break;
      buckets.delete(key);
    }
  };
  /** The bucket refilled to now. */
  const current = (key: string, limit: BucketLimit): Bucket => {
    const now = clock.now();
    let b = buckets.get(key);
    if (b === undefined) {
      if (buckets.size >= maxKeys) sweep(now);
      b = { tokens: limit.burst, at: now, limit };
      buckets.set(key, b);
      return b;
    }
    b.tokens = refilled(limit, b.tokens, b.at, now);
    b.at = now;
    b.limit = limit;
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
