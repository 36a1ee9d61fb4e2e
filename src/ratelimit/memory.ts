import type { Clock, RateLimiter } from '../deps';

type Bucket = { tokens: number; at: number };

/** Token buckets in process memory: exact for one Node process, which is the Node deployment. */
export function memoryRateLimiter(clock: Clock, maxKeys = 100_000): RateLimiter {
  const buckets = new Map<string, Bucket>();
  return {
    async take(key, { burst, perMinute }) {
      const now = clock.now();
      const ratePerMs = perMinute / 60_000;
      const b = buckets.get(key) ?? { tokens: burst, at: now };
      b.tokens = Math.min(burst, b.tokens + (now - b.at) * ratePerMs);
      b.at = now;
      // Re-insert so the Map's order is least-recently-used first; evict from the front.
      buckets.delete(key);
      buckets.set(key, b);
      if (buckets.size > maxKeys) buckets.delete(buckets.keys().next().value!);
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return { ok: true };
      }
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - b.tokens) / ratePerMs / 1000)) };
    },
  };
}
