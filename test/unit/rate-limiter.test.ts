import { describe, expect, it } from 'vitest';
import { memoryRateLimiter } from '../../src/ratelimit/memory';

const limit = { burst: 2, perMinute: 1 };

describe('the in-memory rate limiter', () => {
  it('refuses past the burst and gives a token back as it refills', async () => {
    let now = 0;
    const limiter = memoryRateLimiter({ now: () => now });
    expect(await limiter.take('a', limit)).toEqual({ ok: true });
    expect(await limiter.take('a', limit)).toEqual({ ok: true });
    expect(await limiter.take('a', limit)).toEqual({ ok: false, retryAfterSeconds: 60 });
    now += 60_000;
    expect(await limiter.take('a', limit)).toEqual({ ok: true });
  });

  it('stays within its key budget under a flood of new keys, and a limited key keeps its limit while refilled ones are dropped', async () => {
    let now = 0;
    const limiter = memoryRateLimiter({ now: () => now }, 100);
    await limiter.take('abuser', limit);
    await limiter.take('abuser', limit);
    // Yesterday's visitors: refilled long since, they carry nothing and are dropped first.
    for (let i = 0; i < 99; i++) await limiter.take(`old-${i}`, limit);
    now += 30_000;
    await limiter.take('abuser', limit);
    now += 3_600_000;
    expect(await limiter.take('abuser', limit)).toEqual({ ok: true });
    expect(await limiter.take('abuser', limit)).toEqual({ ok: true });
    // A flood of new keys fills the budget again: the abuser's empty bucket is not among those dropped.
    for (let i = 0; i < 99; i++) await limiter.take(`new-${i}`, limit);
    expect(await limiter.take('abuser', limit)).toMatchObject({ ok: false });
  });

  it('lets a reserving bucket run into debt and answers when the reserved token is due', async () => {
    const limiter = memoryRateLimiter({ now: () => 0 });
    expect(await limiter.reserve('list', { burst: 1, perMinute: 60 })).toEqual({ delayMs: 0 });
    expect(await limiter.reserve('list', { burst: 1, perMinute: 60 })).toEqual({ delayMs: 1000 });
    expect(await limiter.reserve('list', { burst: 1, perMinute: 60 })).toEqual({ delayMs: 2000 });
  });
});
