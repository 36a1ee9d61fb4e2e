import { eq, lt, sql } from 'drizzle-orm';
import type { Clock, Db, RateLimiter } from '../deps';
import { rateBuckets } from '../db/schema';
import { type BucketLimit, debtFloor, refillRatePerMs, refilled, reservedDelayMs, retryAfterSeconds } from '../domain/rate-bucket';

/**
 * Token buckets in the database, for runtimes without shared memory (Workers: every isolate
 * sees the same D1). One take is one statement, so two isolates never spend the same token:
 *
 *   INSERT ... VALUES (key, burst - 1, now)
 *   ON CONFLICT (key) DO UPDATE SET tokens = refilled - 1, updated_at = now
 *   WHERE refilled >= 1
 *   RETURNING tokens
 *
 * where `refilled = min(burst, tokens + (now - updated_at) * rate)`. A row comes back only when a
 * token was taken; an empty bucket is left untouched (refill is linear, so nothing is lost by
 * not writing it). Only the Retry-After of a refused take needs a second, read-only query.
 */
export function d1RateLimiter(db: Db, clock: Clock): RateLimiter {
  // The same arithmetic as refilled(), in SQL so the read and the take are one statement.
  const refilledSql = (limit: BucketLimit, now: number) =>
    sql`min(${limit.burst}, ${rateBuckets.tokens} + max(0, ${now} - ${rateBuckets.updatedAt}) * ${refillRatePerMs(limit)})`;
  return {
    async reserve(key, limit) {
      const now = clock.now();
      const [row] = await db
        .insert(rateBuckets)
        .values({ key, tokens: limit.burst - 1, updatedAt: now })
        .onConflictDoUpdate({
          target: rateBuckets.key,
          set: { tokens: sql`max(${debtFloor(limit)}, ${refilledSql(limit, now)} - 1)`, updatedAt: sql`max(${rateBuckets.updatedAt}, ${now})` },
        })
        .returning({ tokens: rateBuckets.tokens })
        .all();
      return { delayMs: reservedDelayMs(limit, row?.tokens ?? 0) };
    },
    async take(key, limit) {
      const now = clock.now();
      const { burst } = limit;
      const refilledNow = refilledSql(limit, now);
      const taken = await db
        .insert(rateBuckets)
        .values({ key, tokens: burst - 1, updatedAt: now })
        .onConflictDoUpdate({
          target: rateBuckets.key,
          set: { tokens: sql`${refilledNow} - 1`, updatedAt: sql`max(${rateBuckets.updatedAt}, ${now})` },
          setWhere: sql`${refilledNow} >= 1`,
        })
        .returning({ tokens: rateBuckets.tokens })
        .all();
      if (taken.length > 0) return { ok: true };

      const bucket = await db.select().from(rateBuckets).where(eq(rateBuckets.key, key)).get();
      const tokens = bucket ? refilled(limit, bucket.tokens, bucket.updatedAt, now) : 0;
      return { ok: false, retryAfterSeconds: retryAfterSeconds(limit, tokens) };
    },
  };
}

/**
 * Deletes buckets untouched for `idleMs`. A bucket idle longer than its full refill time is
 * equivalent to no bucket, so any `idleMs` above the slowest limit's refill time is safe.
 */
export async function purgeIdleBuckets(db: Db, now: number, idleMs: number): Promise<number> {
  const rows = await db
    .delete(rateBuckets)
    .where(lt(rateBuckets.updatedAt, now - idleMs))
    .returning({ key: rateBuckets.key })
    .all();
  return rows.length;
}
