import type { Clock, RateLimiter } from '../deps';
import { refilled, retryAfterSeconds } from '../domain/rate-bucket';

type Bucket = { tokens: number; at: number };

/** Token buckets in process memory: exact for one Node process, which is the Node deployment. */
export function memoryRateLimiter(clock: Clock, maxKeys = 100_000): RateLimiter {
  const buckets = new Map<string, Bucket>();
  return {
    async take(key, limit) {
      const now = clock.now();
      const b = buckets.get(key) ?? { tokens: limit.burst, at: now };
      b.tokens = refilled(limit, b.tokens, b.at, now);
      b.at = now;
      // Re-insert so the Map's order is least-recently-used first; evict from the front.
      buckets.delete(key);
      buckets.set(key, b);
      if (buckets.size > maxKeys) buckets.delete(buckets.keys().next().value!);
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return { ok: true };
      }
      return { ok: false, retryAfterSeconds: retryAfterSeconds(limit, b.tokens) };
    },
  };
}
