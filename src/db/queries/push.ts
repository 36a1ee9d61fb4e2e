import { and, asc, eq, gt, inArray, isNotNull, isNull, lte, max, or, sql } from 'drizzle-orm';
import type { Atomic, Db } from '../types';
import { changes, lists, pushAttempts, pushConsumers, pushDeliveries, subscriptions } from '../schema';

/** How many feed events one fan-out statement turns into deliveries for one consumer. */
export const FAN_OUT_CHUNK = 1000;

export type PushConsumer = typeof pushConsumers.$inferSelect;
export type PushDelivery = typeof pushDeliveries.$inferSelect;

/** The newest feed position (0 when the feed is empty). */
export async function feedHead(db: Db): Promise<number> {
  return (await db.select({ seq: max(changes.seq) }).from(changes).get())?.seq ?? 0;
}

/** Consumers that are not disabled, with where each stands in the feed. */
export async function activeConsumers(db: Db): Promise<Array<Pick<PushConsumer, 'id' | 'kind' | 'cursor' | 'generation'>>> {
  return db
    .select({ id: pushConsumers.id, kind: pushConsumers.kind, cursor: pushConsumers.cursor, generation: pushConsumers.generation })
    .from(pushConsumers)
    .where(isNull(pushConsumers.disabledAt))
    .all();
}

/**
 * Turns the feed events after the consumer's cursor, up to `upTo`, into queued deliveries and moves
 * the cursor, in one atomic group. Events the consumer does not take are passed over: other types,
 * lists outside its `lists`, events of deleted lists, and `silent` ones (imported rows the import
 * did not announce). Both statements hold only while the cursor and generation are still the ones
 * read, so two fan-outs at once (Workers) or a replay in between change nothing twice; a message id
 * is drawn per row here and kept for every retry.
 */
export async function fanOutConsumer(atomic: Atomic, c: { id: string; cursor: number; generation: number; upTo: number; now: number }): Promise<void> {
  const unchanged = and(eq(pushConsumers.id, c.id), eq(pushConsumers.cursor, c.cursor), eq(pushConsumers.generation, c.generation), isNull(pushConsumers.disabledAt));
  await atomic((tx) => [
    tx
      .insert(pushDeliveries)
      .select(
        tx
          .select({
            id: sql<number>`NULL`.as('id'),
            consumerId: pushConsumers.id,
            seq: changes.seq,
            generation: pushConsumers.generation,
            messageId: sql<string>`'msg_' || lower(hex(randomblob(12)))`.as('message_id'),
            type: changes.type,
            state: sql<'queued'>`'queued'`.as('state'),
            attempts: sql<number>`0`.as('attempts'),
            nextAttemptAt: sql<number>`${c.now}`.as('next_attempt_at'),
            leasedUntil: sql`NULL`.as('leased_until'),
            createdAt: sql<number>`${c.now}`.as('created_at'),
            finishedAt: sql`NULL`.as('finished_at'),
            lastError: sql`NULL`.as('last_error'),
          })
          .from(changes)
          .innerJoin(pushConsumers, unchanged)
          .innerJoin(lists, eq(lists.id, changes.listId))
          .where(
            and(
              gt(changes.seq, c.cursor),
              lte(changes.seq, c.upTo),
              eq(changes.silent, false),
              sql`${changes.type} IN (SELECT value FROM json_each(${pushConsumers.types}))`,
              or(isNull(pushConsumers.lists), sql`${lists.slug} IN (SELECT value FROM json_each(${pushConsumers.lists}))`),
            ),
          ),
      )
      .onConflictDoNothing(),
    tx.update(pushConsumers).set({ cursor: c.upTo }).where(unchanged),
  ]);
}

const unleased = (now: number) => or(isNull(pushDeliveries.leasedUntil), lte(pushDeliveries.leasedUntil, now));

/**
 * Takes up to `max` due deliveries of one consumer, oldest first, in one statement: two senders at
 * once (Workers: overlapping cron runs) never hold the same row.
 */
export async function claimDue(db: Db, consumerId: string, now: number, max: number, lease: number): Promise<PushDelivery[]> {
  const due = and(eq(pushDeliveries.consumerId, consumerId), eq(pushDeliveries.state, 'queued'), lte(pushDeliveries.nextAttemptAt, now), unleased(now));
  const candidates = db.select({ id: pushDeliveries.id }).from(pushDeliveries).where(due).orderBy(asc(pushDeliveries.nextAttemptAt), asc(pushDeliveries.id)).limit(max);
  const rows = await db
    .update(pushDeliveries)
    .set({ leasedUntil: now + lease })
    .where(and(inArray(pushDeliveries.id, candidates), unleased(now)))
    .returning()
    .all();
  return rows.sort((a, b) => a.nextAttemptAt - b.nextAttemptAt || a.id - b.id);
}

/** On a Node start the process owns the file: deliveries held by a killed predecessor are free again. */
export async function releasePushLeases(db: Db): Promise<void> {
  await db.update(pushDeliveries).set({ leasedUntil: null }).where(and(eq(pushDeliveries.state, 'queued'), isNotNull(pushDeliveries.leasedUntil)));
}

/** When the next delivery of an enabled consumer becomes due (ms epoch), or null when none waits. */
export async function nextPushDueAt(db: Db): Promise<number | null> {
  const row = await db
    .select({ at: sql<number | null>`min(max(${pushDeliveries.nextAttemptAt}, coalesce(${pushDeliveries.leasedUntil}, 0)))` })
    .from(pushDeliveries)
    .innerJoin(pushConsumers, and(eq(pushConsumers.id, pushDeliveries.consumerId), isNull(pushConsumers.disabledAt)))
    .where(eq(pushDeliveries.state, 'queued'))
    .get();
  return row?.at ?? null;
}

/**
 * A feed event as it reads now, for a payload built at delivery: an erasure since it happened has
 * removed the address (and the subscription with its name and link), a deleted list its slug.
 */
export async function feedEvent(db: Db, seq: number) {
  return db
    .select({
      seq: changes.seq,
      type: changes.type,
      id: changes.publicId,
      email: changes.email,
      at: changes.at,
      list: lists.slug,
      name: subscriptions.name,
      confirmedAt: subscriptions.confirmedAt,
      unsubToken: subscriptions.unsubToken,
    })
    .from(changes)
    .leftJoin(lists, eq(lists.id, changes.listId))
    .leftJoin(subscriptions, eq(subscriptions.id, changes.subscriptionId))
    .where(eq(changes.seq, seq))
    .get();
}
export type FeedEvent = NonNullable<Awaited<ReturnType<typeof feedEvent>>>;

/** What one attempt came to; `attempt` counts from 1. */
export type AttemptRecord = {
  delivery: Pick<PushDelivery, 'id' | 'consumerId' | 'messageId' | 'seq' | 'type'>;
  attempt: number;
  at: number;
  durationMs: number;
  status: number | null;
  error: string | null;
  excerpt: string | null;
} & ({ outcome: 'delivered' } | { outcome: 'retrying'; nextAttemptAt: number } | { outcome: 'failed' });

/**
 * Records an attempt in one atomic group: the attempts log, the delivery's new state, and the
 * consumer's health (a success clears `failing_since`; a failure sets it if unset).
 */
export async function recordAttempt(atomic: Atomic, r: AttemptRecord): Promise<void> {
  const { delivery: d } = r;
  const failed = r.outcome !== 'delivered';
  await atomic((tx) => [
    tx.insert(pushAttempts).values({
      consumerId: d.consumerId,
      deliveryId: d.id,
      messageId: d.messageId,
      seq: d.seq,
      type: d.type,
      attempt: r.attempt,
      at: r.at,
      durationMs: Math.round(r.durationMs),
      status: r.status,
      error: r.error,
      excerpt: r.excerpt,
      outcome: r.outcome,
    }),
    tx
      .update(pushDeliveries)
      .set({
        attempts: r.attempt,
        leasedUntil: null,
        lastError: r.error ?? (failed && r.status !== null ? `HTTP ${r.status}` : null),
        ...(r.outcome === 'retrying' ? { nextAttemptAt: r.nextAttemptAt } : { state: r.outcome, finishedAt: r.at }),
      })
      .where(eq(pushDeliveries.id, d.id)),
    failed
      ? tx.update(pushConsumers).set({ failingSince: sql`coalesce(${pushConsumers.failingSince}, ${r.at})`, lastFailureAt: r.at }).where(eq(pushConsumers.id, d.consumerId))
      : tx.update(pushConsumers).set({ failingSince: null, lastSuccessAt: r.at }).where(eq(pushConsumers.id, d.consumerId)),
  ]);
}

/** Gives a delivery up without an attempt (its list or target is gone). */
export async function dropDelivery(db: Db, id: number, why: string, now: number): Promise<void> {
  await db.update(pushDeliveries).set({ state: 'failed', lastError: why, finishedAt: now, leasedUntil: null }).where(eq(pushDeliveries.id, id));
}

/** Puts a delivery back without an attempt, due again at `at` (its sender had no turn). */
export async function deferDelivery(db: Db, id: number, at: number): Promise<void> {
  await db.update(pushDeliveries).set({ nextAttemptAt: at, leasedUntil: null }).where(eq(pushDeliveries.id, id));
}

/**
 * Disables a consumer whose attempts have all failed since `failingBefore` or earlier; answers
 * whether this call did it (so it is logged once).
 */
export async function disableIfFailingSince(db: Db, id: string, failingBefore: number, now: number, reason: string): Promise<boolean> {
  const row = await db
    .update(pushConsumers)
    .set({ disabledAt: now, disabledReason: reason })
    .where(and(eq(pushConsumers.id, id), isNull(pushConsumers.disabledAt), lte(pushConsumers.failingSince, failingBefore)))
    .returning({ id: pushConsumers.id })
    .get();
  return !!row;
}
