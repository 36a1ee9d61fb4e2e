import { desc, eq, inArray, sql } from 'drizzle-orm';
import type { Atomic, AtomicStatement, Db, SuppressionReason } from '../types';
import { deliveryEvents, lists, subscriptions, suppressions, webhookReceipts } from '../schema';
import type { RecordedType } from '../../domain/delivery-rules';
import { suppressionEffects } from './suppressions';

/** One event, decided: the rows it adds and whether (and why) it suppresses the address. */
export type DeliveryWrite = {
  email: string;
  /** The mailbox's keyed hash: rates, the soft-bounce count and suppression key on it. */
  hash: string;
  at: number;
  recorded: RecordedType;
  /** The lists whose rates the event counts in; none: a row without a list (soft bounces still count). */
  listIds: number[];
  /** Suppress at once (hard bounce, complaint). */
  suppress?: SuppressionReason;
  /** Suppress when this is the soft bounce that reaches the limit (decided inside SQL). */
  softBounceLimit?: { count: number; since: number };
};

export async function receiptExists(db: Db, id: string): Promise<boolean> {
  return !!(await db.select({ id: webhookReceipts.id }).from(webhookReceipts).where(eq(webhookReceipts.id, id)).get());
}

export async function listIdBySlug(db: Db, slug: string): Promise<number | undefined> {
  return (await db.select({ id: lists.id }).from(lists).where(eq(lists.slug, slug)).get())?.id;
}

/** The lists that hold a mailbox (any variant, any state). */
export async function listIdsHolding(db: Db, mailboxHash: string): Promise<number[]> {
  const rows = await db.selectDistinct({ listId: subscriptions.listId }).from(subscriptions).where(eq(subscriptions.mailboxHash, mailboxHash)).all();
  return rows.map((r) => r.listId);
}

/**
 * Writes decided delivery events in one atomic group: a delivery_events row per list, immediate
 * suppression, and the soft-bounce limit decided inside SQL so two bounces arriving at once cannot
 * both miss it. With a `receipt`, the group starts by inserting it: a replay conflicts on the
 * primary key and rolls the whole group back (see isReceiptConflict), so an event is never applied twice.
 */
export async function writeDeliveryEvents(
  atomic: Atomic,
  writes: DeliveryWrite[],
  opts: { source: string; now: number; receipt?: { id: string; source: string } },
): Promise<void> {
  const { source, now } = opts;
  await atomic((tx) => {
    const statements: AtomicStatement[] = [];
    if (opts.receipt) statements.push(tx.insert(webhookReceipts).values({ ...opts.receipt, receivedAt: now }));
    for (const w of writes) {
      const rows: Array<{ listId: number | null }> = w.listIds.length ? w.listIds.map((listId) => ({ listId })) : w.recorded === 'delivered' ? [] : [{ listId: null }];
      // A statement per row: D1 allows 100 bound parameters per statement, and lists can be many.
      for (const r of rows) statements.push(tx.insert(deliveryEvents).values({ ...r, hash: w.hash, type: w.recorded, at: w.at }));
      if (w.suppress) {
        statements.push(tx.insert(suppressions).values({ hash: w.hash, email: w.email, reason: w.suppress, source, createdAt: now }).onConflictDoNothing());
        statements.push(...suppressionEffects(tx, { hash: w.hash, reason: w.suppress, now }));
      } else if (w.softBounceLimit) {
        const { count, since } = w.softBounceLimit;
        // One event writes a row per list, so distinct event times are what is counted.
        statements.push(
          tx
            .insert(suppressions)
            .select(
              sql`SELECT ${w.hash}, ${w.email}, 'soft_bounce_limit', ${source}, ${now}
                  WHERE (SELECT count(DISTINCT ${deliveryEvents.at}) FROM ${deliveryEvents}
                         WHERE ${deliveryEvents.hash} = ${w.hash} AND ${deliveryEvents.type} = 'soft_bounce'
                           AND ${deliveryEvents.at} >= ${since}) >= ${count}`,
            )
            .onConflictDoNothing(),
        );
        statements.push(...suppressionEffects(tx, { hash: w.hash, reason: 'soft_bounce_limit', now }));
      }
    }
    return statements;
  });
}

/** better-sqlite3 and D1 both report the primary-key conflict in the message (drizzle wraps it as `cause`). */
export function isReceiptConflict(err: unknown): boolean {
  for (let e = err as { message?: string; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (/UNIQUE constraint failed: webhook_receipts\.id/.test(e.message ?? '')) return true;
  }
  return false;
}

/** A mailbox's delivery events (any of its hashes), newest first, with the list each was counted for. */
export async function deliveryEventsOf(db: Db, hashes: string[], limit: number) {
  return db
    .select({ list: lists.slug, type: deliveryEvents.type, at: deliveryEvents.at })
    .from(deliveryEvents)
    .leftJoin(lists, eq(lists.id, deliveryEvents.listId))
    .where(inArray(deliveryEvents.hash, hashes))
    .orderBy(desc(deliveryEvents.at), desc(deliveryEvents.id))
    .limit(limit)
    .all();
}
