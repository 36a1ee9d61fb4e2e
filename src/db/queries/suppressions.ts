import { and, desc, eq, exists, inArray, lt, ne, or, sql } from 'drizzle-orm';
import type { Atomic, Db, Suppression, SuppressionReason } from '../types';
import { outbox, subscriptions, suppressions } from '../schema';

/**
 * Suppresses a mailbox everywhere in one atomic step: the suppression row (first reason wins),
 * every subscription of the mailbox on every list, whichever variant was typed (the trigger writes
 * `suppressed` to the feed of each list where it had been confirmed), and any mail still queued for
 * it. `email` is null when only the keyed hash is known (a "this wasn't me" click after the signup expired).
 */
export async function suppressAddress(
  atomic: Atomic,
  s: { hash: string; email: string | null; reason: SuppressionReason; source: string; now: number },
): Promise<void> {
  await atomic((db) => [
    db.insert(suppressions).values({ hash: s.hash, email: s.email, reason: s.reason, source: s.source, createdAt: s.now }).onConflictDoNothing(),
    ...suppressionEffects(db, s),
  ]);
}

/**
 * What follows from a suppression row for `hash` (a mailbox hash): every subscription of the mailbox
 * becomes `suppressed` and its queued mail fails. Each statement only acts while that row exists, so
 * a suppression decided inside SQL (the soft-bounce limit) can be followed by these unconditionally.
 */
export function suppressionEffects(db: Db, s: { hash: string; reason: SuppressionReason; now: number }) {
  const isSuppressed = exists(db.select({ one: sql`1` }).from(suppressions).where(eq(suppressions.hash, s.hash)));
  return [
    db
      .update(subscriptions)
      .set({ state: 'suppressed', suppressedAt: s.now, updatedAt: s.now, expiresAt: null })
      .where(and(eq(subscriptions.mailboxHash, s.hash), ne(subscriptions.state, 'suppressed'), isSuppressed)),
    db
      .update(outbox)
      .set({ state: 'failed', lastError: `suppressed: ${s.reason}` })
      .where(
        and(
          eq(outbox.state, 'queued'),
          inArray(outbox.subscriptionId, db.select({ id: subscriptions.id }).from(subscriptions).where(eq(subscriptions.mailboxHash, s.hash))),
          isSuppressed,
        ),
      ),
  ];
}

/** The suppression of a mailbox: its own row, else one from before mailboxes were folded (`hashes` in that order). */
export async function findSuppression(db: Db, hashes: string[]): Promise<Suppression | undefined> {
  const rows = await db.select().from(suppressions).where(inArray(suppressions.hash, [...new Set(hashes)])).all();
  return hashes.map((h) => rows.find((r) => r.hash === h)).find((r) => r !== undefined);
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
 * Lifts a suppression (every row of the mailbox). Subscriptions stay `suppressed`: the person is
 * mailed again only after a new signup and confirmation, which the signup path allows once the row is gone.
 */
export async function removeSuppression(db: Db, hashes: string[]): Promise<boolean> {
  const rows = await db.delete(suppressions).where(inArray(suppressions.hash, hashes)).returning({ hash: suppressions.hash }).all();
  return rows.length > 0;
}
