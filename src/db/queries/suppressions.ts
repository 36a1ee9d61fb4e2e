import { and, desc, eq, exists, inArray, lt, ne, or, sql } from 'drizzle-orm';
import type { Atomic, Db, Suppression, SuppressionReason } from '../types';
import { outbox, subscriptions, suppressions } from '../schema';

/**
 * Suppresses an address everywhere in one atomic step: the suppression row (first reason wins),
 * every subscription of the address (the trigger writes `suppressed` to each list's feed),
 * and any mail still queued for it.
 */
export async function suppressAddress(
  atomic: Atomic,
  s: { key: string; email: string | null; hash: string; reason: SuppressionReason; source: string; now: number },
): Promise<void> {
  await atomic((db) => [
    db
      .insert(suppressions)
      .values({ hash: s.hash, email: s.email, reason: s.reason, source: s.source, createdAt: s.now })
      .onConflictDoNothing(),
    ...suppressionEffects(db, s),
  ]);
}

/**
 * What follows from a suppression row for `hash`: every subscription of the address becomes
 * `suppressed` and its queued mail fails. Each statement only acts while that row exists, so a
 * suppression decided inside SQL (the soft-bounce limit) can be followed by these unconditionally.
 */
export function suppressionEffects(db: Db, s: { key: string; hash: string; reason: SuppressionReason; now: number }) {
  const isSuppressed = exists(db.select({ one: sql`1` }).from(suppressions).where(eq(suppressions.hash, s.hash)));
  return [
    db
      .update(subscriptions)
      .set({ state: 'suppressed', suppressedAt: s.now, updatedAt: s.now, expiresAt: null })
      .where(and(eq(subscriptions.key, s.key), ne(subscriptions.state, 'suppressed'), isSuppressed)),
    db
      .update(outbox)
      .set({ state: 'failed', lastError: `suppressed: ${s.reason}` })
      .where(
        and(
          eq(outbox.state, 'queued'),
          inArray(outbox.subscriptionId, db.select({ id: subscriptions.id }).from(subscriptions).where(eq(subscriptions.key, s.key))),
          isSuppressed,
        ),
      ),
  ];
}

export async function findSuppression(db: Db, hash: string): Promise<Suppression | undefined> {
  return db.select().from(suppressions).where(eq(suppressions.hash, hash)).get();
}

/** Newest first; the cursor is the last row's `created_at.hash`. */
export async function pageSuppressions(db: Db, limit: number, after?: { createdAt: number; hash: string }): Promise<Suppression[]> {
  return db
    .select()
    .from(suppressions)
    .where(
      after
        ? or(lt(suppressions.createdAt, after.createdAt), and(eq(suppressions.createdAt, after.createdAt), lt(suppressions.hash, after.hash)))
        : undefined,
    )
    .orderBy(desc(suppressions.createdAt), desc(suppressions.hash))
    .limit(limit)
    .all();
}

/**
 * Lifts a suppression. Subscriptions stay `suppressed`: the person is mailed again only after a
 * new signup and confirmation, which the signup path allows once the row is gone.
 */
export async function removeSuppression(db: Db, hash: string): Promise<boolean> {
  const rows = await db.delete(suppressions).where(eq(suppressions.hash, hash)).returning({ hash: suppressions.hash }).all();
  return rows.length > 0;
}

/**
 * Suppresses an address known only by its keyed hash (its subscriptions are already gone):
 * later signups check the suppression list by hash and stay silent.
 */
export async function suppressHash(db: Db, s: { hash: string; reason: SuppressionReason; source: string; now: number }): Promise<void> {
  await db.insert(suppressions).values({ hash: s.hash, email: null, reason: s.reason, source: s.source, createdAt: s.now }).onConflictDoNothing();
}
