import { and, eq, inArray, ne, sql } from 'drizzle-orm';
import type { Atomic, Db } from '../types';
import { addresses, changes, outbox, subscriptions, suppressions } from '../schema';

/**
 * Erases an address in one atomic group. Order matters: the feed and outbox are reached through
 * the subscriptions, so they go before the subscriptions do.
 *  1. earlier feed events of the address lose the address;
 *  2. each list that held it gets an `erased` event without one;
 *  3. its mail (queued or already sent) is deleted, since the rows carry the address — except a
 *     mail inside a batch being sent: an in-doubt retry must resend the identical body under its
 *     idempotency key, and the outbox drops erased members from any batch not in doubt;
 *  4. subscriptions and the address row go (the delete trigger keeps the counters);
 *  5. the suppression keeps only the keyed hash: a new row with reason `erased`, or an existing
 *     row (a bounce, a complaint) keeps its reason and loses the address.
 */
export async function eraseAddress(atomic: Atomic, e: { key: string; hash: string; now: number }): Promise<void> {
  const ofAddress = (tx: Db) => tx.select({ id: subscriptions.id }).from(subscriptions).where(eq(subscriptions.key, e.key));
  await atomic((tx) => [
    tx.update(changes).set({ email: null }).where(inArray(changes.subscriptionId, ofAddress(tx))),
    tx.insert(changes).select(
      tx
        .select({
          seq: sql<number>`NULL`.as('seq'),
          listId: subscriptions.listId,
          subscriptionId: sql<number>`NULL`.as('subscription_id'),
          type: sql<'erased'>`'erased'`.as('type'),
          email: sql`NULL`.as('email'),
          at: sql<number>`${e.now}`.as('at'),
        })
        .from(subscriptions)
        .where(eq(subscriptions.key, e.key)),
    ),
    tx.delete(outbox).where(and(inArray(outbox.subscriptionId, ofAddress(tx)), ne(outbox.state, 'sending'))),
    tx.delete(subscriptions).where(eq(subscriptions.key, e.key)),
    tx.delete(addresses).where(eq(addresses.key, e.key)),
    tx
      .insert(suppressions)
      .values({ hash: e.hash, email: null, reason: 'erased', source: 'erasure', createdAt: e.now })
      .onConflictDoUpdate({ target: suppressions.hash, set: { email: null } }),
  ]);
}
