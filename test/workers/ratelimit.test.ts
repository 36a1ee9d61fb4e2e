import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { rateBuckets } from '../../src/db/schema';
import { d1RateLimiter } from '../../src/ratelimit/d1';
import { testDb } from './harness';

const clockAt = (start: number) => {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
};

describe('D1 rate limiter', () => {
  it('gives a burst, refuses with Retry-After, then refills at the configured rate', async () => {
    const clock = clockAt(1_000_000);
    const limiter = d1RateLimiter(testDb(), clock);
    const limit = { burst: 3, perMinute: 6 }; // one token per 10 s
    const key = `rl-${crypto.randomUUID()}`;
    const first = await Promise.all([1, 2, 3].map(() => limiter.take(key, limit)));
    expect(first.every((r) => r.ok)).toBe(true);
    expect(await limiter.take(key, limit)).toEqual({ ok: false, retryAfterSeconds: 10 });
    clock.advance(4_000);
    expect(await limiter.take(key, limit)).toEqual({ ok: false, retryAfterSeconds: 6 });
    clock.advance(6_000);
    expect((await limiter.take(key, limit)).ok).toBe(true);
    expect((await limiter.take(key, limit)).ok).toBe(false);
  });

  it('never hands out more than the burst to concurrent takes (one statement per take)', async () => {
    const limiter = d1RateLimiter(testDb(), clockAt(5_000_000));
    const key = `rl-${crypto.randomUUID()}`;
    const results = await Promise.all(Array.from({ length: 20 }, () => limiter.take(key, { burst: 5, perMinute: 1 })));
    expect(results.filter((r) => r.ok)).toHaveLength(5);
  });

  it('does not refill past the burst after a long idle time', async () => {
    const clock = clockAt(9_000_000);
    const db = testDb();
    const limiter = d1RateLimiter(db, clock);
    const key = `rl-${crypto.randomUUID()}`;
    await limiter.take(key, { burst: 2, perMinute: 60 });
    clock.advance(3600_000);
    await limiter.take(key, { burst: 2, perMinute: 60 });
    const row = await db.select().from(rateBuckets).where(eq(rateBuckets.key, key)).get();
    expect(row?.tokens).toBe(1);
  });

  it('reserves without refusing: later and later while overdrawn, spread at the refill rate, also when concurrent', async () => {
    const clock = clockAt(12_000_000);
    const limiter = d1RateLimiter(testDb(), clock);
    const limit = { burst: 2, perMinute: 6 }; // one token per 10 s
    const key = `rl-${crypto.randomUUID()}`;
    const delays = (await Promise.all(Array.from({ length: 5 }, () => limiter.reserve(key, limit)))).map((r) => r.delayMs).sort((a, b) => a - b);
    expect(delays).toEqual([0, 0, 10_000, 20_000, 30_000]);
    clock.advance(30_000);
    expect(await limiter.reserve(key, limit)).toEqual({ delayMs: 10_000 });
  });
});
