import { and, eq, inArray, sql } from 'drizzle-orm';
import type { AtomicStatement, Deps } from '../../deps';
import type { DeliveryEvent } from '../../domain/delivery-events';
import { classifyEvent, eventAddress } from '../../domain/delivery-rules';
import { addressHash } from '../../domain/ids';
import { deliveryEvents, lists, subscriptions, suppressions, webhookReceipts } from '../schema';
import { suppressionEffects } from './suppressions';

const DAY_MS = 86_400_000;

type Plan = ReturnType<typeof classifyEvent> & { email: string; key: string; hash: string; event: DeliveryEvent; listIds: number[] };

export type RecordOutcome = { outcome: 'applied' | 'duplicate'; events: number; listIds: number[] };

/**
 * Applies delivery events (already verified) in one atomic group: a delivery_events row per list
 * that holds the address (or only the list the event names), immediate suppression for hard
 * bounces and complaints, and the soft-bounce limit decided inside SQL so two bounces arriving at
 * once cannot both miss it. With a `receipt`, the group starts by inserting it: a replay conflicts
 * on the primary key and rolls the whole group back, so an event is never applied twice.
 */
export async function recordDeliveryEvents(
  deps: Deps,
  events: DeliveryEvent[],
  opts: { source: string; receipt?: { id: string; source: string } },
): Promise<RecordOutcome> {
  const { db, config, clock } = deps;
  const now = clock.now();
  if (opts.receipt && (await db.select({ id: webhookReceipts.id }).from(webhookReceipts).where(eq(webhookReceipts.id, opts.receipt.id)).get())) {
    return { outcome: 'duplicate', events: 0, listIds: [] };
  }
  const plans: Plan[] = [];
  for (const event of events) {
    const address = eventAddress(event.email);
    if (!address) {
      deps.logger.warn('delivery event for something that is not an address; skipped', { source: opts.source, type: event.type });
      continue;
    }
    const named = event.list ? await db.select({ id: lists.id }).from(lists).where(eq(lists.slug, event.list)).get() : undefined;
    const listIds = named
      ? [named.id]
      : (await db.select({ listId: subscriptions.listId }).from(subscriptions).where(eq(subscriptions.key, address.key)).all()).map((r) => r.listId);
    plans.push({ ...address, event, listIds, hash: await addressHash(deps.hashKey, address.key), ...classifyEvent(event) });
  }

  if (!plans.length && !opts.receipt) return { outcome: 'applied', events: 0, listIds: [] };
  const since = now - config.SOFT_BOUNCE_WINDOW_DAYS * DAY_MS;
  try {
    await deps.atomic((tx) => {
      const statements: AtomicStatement[] = [];
      if (opts.receipt) statements.push(tx.insert(webhookReceipts).values({ ...opts.receipt, receivedAt: now }));
      for (const p of plans) {
        // An address on no list still gets a row (list_id NULL) so its soft bounces count.
        const rows: Array<{ listId: number | null }> = p.listIds.length ? p.listIds.map((listId) => ({ listId })) : p.recorded === 'delivered' ? [] : [{ listId: null }];
        // A statement per row: D1 allows 100 bound parameters per statement, and lists can be many.
        for (const r of rows) statements.push(tx.insert(deliveryEvents).values({ ...r, hash: p.hash, type: p.recorded, at: p.event.at }));
        const reason = p.suppress ?? (p.recorded === 'soft_bounce' && config.SOFT_BOUNCE_LIMIT > 0 ? 'soft_bounce_limit' : undefined);
        if (!reason) continue;
        if (p.suppress) {
          statements.push(
            tx.insert(suppressions).values({ hash: p.hash, email: p.email, reason, source: opts.source, createdAt: now }).onConflictDoNothing(),
          );
        } else {
          // One event writes a row per list, so distinct event times are what is counted.
          statements.push(
            tx
              .insert(suppressions)
              .select(
                sql`SELECT ${p.hash}, ${p.email}, 'soft_bounce_limit', ${opts.source}, ${now}
                    WHERE (SELECT count(DISTINCT ${deliveryEvents.at}) FROM ${deliveryEvents}
                           WHERE ${deliveryEvents.hash} = ${p.hash} AND ${deliveryEvents.type} = 'soft_bounce'
                             AND ${deliveryEvents.at} >= ${since}) >= ${config.SOFT_BOUNCE_LIMIT}`,
              )
              .onConflictDoNothing(),
          );
        }
        statements.push(...suppressionEffects(tx, { key: p.key, hash: p.hash, reason, now }));
      }
      return statements;
    });
  } catch (err) {
    if (opts.receipt && isReceiptConflict(err)) return { outcome: 'duplicate', events: 0, listIds: [] };
    throw err;
  }
  return { outcome: 'applied', events: plans.length, listIds: [...new Set(plans.flatMap((p) => p.listIds))] };
}

/** better-sqlite3 and D1 both report the primary-key conflict in the message (drizzle wraps it as `cause`). */
function isReceiptConflict(err: unknown): boolean {
  for (let e = err as { message?: string; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (/UNIQUE constraint failed: webhook_receipts\.id/.test(e.message ?? '')) return true;
  }
  return false;
}

/** Unsubscribes an address from one list or every list; the trigger writes `unsubscribed` to each feed. */
export async function unsubscribeAddress(deps: Deps, key: string, listId: number | undefined, source: string): Promise<number> {
  const now = deps.clock.now();
  const rows = await deps.db
    .update(subscriptions)
    .set({ state: 'unsubscribed', unsubscribedAt: now, updatedAt: now, unsubscribeSource: source, expiresAt: null })
    .where(and(eq(subscriptions.key, key), inArray(subscriptions.state, ['pending', 'confirmed']), listId === undefined ? undefined : eq(subscriptions.listId, listId)))
    .returning({ id: subscriptions.id })
    .all();
  return rows.length;
}
