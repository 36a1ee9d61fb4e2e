import { and, eq, inArray, ne, sql } from 'drizzle-orm';
import type { Atomic, Db } from '../types';
import { addresses, changes, outbox, subscriptions, suppressions } from '../schema';

/**
 * Erases a mailbox (every variant of the address, on every list) in one atomic group. Order
 * matters: the feed and outbox are reached through the subscriptions, so they go before them.
 *  1. earlier feed events of the mailbox lose the address;
 *  2. each list that held it gets an `erased` event without one, carrying the subscription's id;
 *  3. its mail (queued or already sent) is deleted, since the rows carry the address — except a
 *     mail inside a batch being sent: an in-doubt retry must resend the identical body under its
 *     idempotency key, and the outbox drops erased members from any batch not in doubt;
 *  4. subscriptions and the mailbox's cap row go (the delete trigger keeps the counters);
 *  5. the suppression keeps only the keyed hash: a new row with reason `erased`, or an existing
 *     row (a bounce, a complaint, also one from before mailboxes were folded) keeps its reason and
 *     loses the address.
 */
export async function eraseMailbox(atomic: Atomic, e: { mailboxHash: string; legacyHash: string; now: number }): Promise<void> {
  const ofMailbox = (tx: Db) => tx.select({ id: subscriptions.id }).from(subscriptions).where(eq(subscriptions.mailboxHash, e.mailboxHash));
  await atomic((tx) => [
    tx.update(changes).set({ email: null }).where(inArray(changes.subscriptionId, ofMailbox(tx))),
    tx.insert(changes).select(
      tx
        .select({
          seq: sql<number>`NULL`.as('seq'),
          listId: subscriptions.listId,
          subscriptionId: sql<number>`NULL`.as('subscription_id'),
          publicId: subscriptions.publicId,
          type: sql<'erased'>`'erased'`.as('type'),
          silent: sql<boolean>`0`.as('silent'),
          email: sql`NULL`.as('email'),
          at: sql<number>`${e.now}`.as('at'),
        })
        .from(subscriptions)
        .where(eq(subscriptions.mailboxHash, e.mailboxHash)),
    ),
    tx.delete(outbox).where(and(inArray(outbox.subscriptionId, ofMailbox(tx)), ne(outbox.state, 'sending'))),
    tx.delete(subscriptions).where(eq(subscriptions.mailboxHash, e.mailboxHash)),
    tx.delete(addresses).where(eq(addresses.key, e.mailboxHash)),
    tx.update(suppressions).set({ email: null }).where(inArray(suppressions.hash, [e.mailboxHash, e.legacyHash])),
    tx.insert(suppressions).values({ hash: e.mailboxHash, email: null, reason: 'erased', source: 'erasure', createdAt: e.now }).onConflictDoNothing(),
  ]);
}
