import { and, eq, inArray, ne } from 'drizzle-orm';
import type { Atomic, Db } from '../../deps';
import { outbox, subscriptions, suppressions } from '../schema';

export type SuppressionReason = (typeof suppressions.$inferInsert)['reason'];

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
    db
      .update(subscriptions)
      .set({ state: 'suppressed', suppressedAt: s.now, updatedAt: s.now, expiresAt: null })
      .where(and(eq(subscriptions.key, s.key), ne(subscriptions.state, 'suppressed'))),
    db
      .update(outbox)
      .set({ state: 'failed', lastError: `suppressed: ${s.reason}` })
      .where(
        and(
          eq(outbox.state, 'queued'),
          inArray(outbox.subscriptionId, db.select({ id: subscriptions.id }).from(subscriptions).where(eq(subscriptions.key, s.key))),
        ),
      ),
  ]);
}

/**
 * Suppresses an address known only by its keyed hash (its subscriptions are already gone):
 * later signups check the suppression list by hash and stay silent.
 */
export async function suppressHash(db: Db, s: { hash: string; reason: SuppressionReason; source: string; now: number }): Promise<void> {
  await db.insert(suppressions).values({ hash: s.hash, email: null, reason: s.reason, source: s.source, createdAt: s.now }).onConflictDoNothing();
}
