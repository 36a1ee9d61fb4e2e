import { and, desc, eq, gt, lt, sql } from 'drizzle-orm';
import type { Atomic, Db } from '../types';
import { changes, type ChangeType, pushAttempts, pushConsumers, pushDeliveries, webhooks } from '../schema';

const webhookColumns = {
  id: webhooks.id,
  url: webhooks.url,
  secret: webhooks.secret,
  createdBy: webhooks.createdBy,
  types: pushConsumers.types,
  lists: pushConsumers.lists,
  cursor: pushConsumers.cursor,
  generation: pushConsumers.generation,
  createdAt: pushConsumers.createdAt,
  failingSince: pushConsumers.failingSince,
  lastSuccessAt: pushConsumers.lastSuccessAt,
  lastFailureAt: pushConsumers.lastFailureAt,
  disabledAt: pushConsumers.disabledAt,
  disabledReason: pushConsumers.disabledReason,
  /** Deliveries waiting (queued or backing off). */
  pending: sql<number>`(SELECT count(*) FROM ${pushDeliveries} WHERE ${pushDeliveries.consumerId} = ${webhooks.id} AND ${pushDeliveries.state} = 'queued')`.mapWith(Number),
};

/**
 * Makes a webhook and its feed consumer in one atomic group. Its cursor starts at the head of the
 * feed: it hears of what happens from now on (a replay reaches back).
 */
export async function insertWebhook(
  atomic: Atomic,
  w: { id: string; url: string; secret: string; types: ChangeType[]; lists: string[] | null; createdBy: string; now: number },
): Promise<void> {
  await atomic((tx) => [
    tx.insert(pushConsumers).values({
      id: w.id,
      kind: 'webhook',
      types: w.types,
      lists: w.lists,
      cursor: sql`(SELECT coalesce(max(${changes.seq}), 0) FROM ${changes})`,
      createdAt: w.now,
    }),
    tx.insert(webhooks).values({ id: w.id, url: w.url, secret: w.secret, createdBy: w.createdBy }),
  ]);
}

export async function allWebhooks(db: Db) {
  return db.select(webhookColumns).from(webhooks).innerJoin(pushConsumers, eq(pushConsumers.id, webhooks.id)).orderBy(pushConsumers.createdAt, webhooks.id).all();
}

export async function findWebhook(db: Db, id: string) {
  return db.select(webhookColumns).from(webhooks).innerJoin(pushConsumers, eq(pushConsumers.id, webhooks.id)).where(eq(webhooks.id, id)).get();
}
export type WebhookRow = NonNullable<Awaited<ReturnType<typeof findWebhook>>>;

/** Removes a webhook with its consumer, queue and attempts (foreign keys cascade). */
export async function deleteWebhook(db: Db, id: string): Promise<boolean> {
  return (await db.delete(pushConsumers).where(eq(pushConsumers.id, id)).returning({ id: pushConsumers.id }).all()).length > 0;
}

/**
 * Sends the events after `after` again: the cursor goes back there (never forward: events not yet
 * queued are not skipped) under a new generation, so they are queued anew with new message ids,
 * and deliveries still waiting for those events are dropped (the replay sends them).
 */
export async function rewindConsumer(atomic: Atomic, id: string, after: number): Promise<void> {
  await atomic((tx) => [
    tx
      .delete(pushDeliveries)
      .where(and(eq(pushDeliveries.consumerId, id), eq(pushDeliveries.state, 'queued'), gt(pushDeliveries.seq, after), sql`${pushDeliveries.leasedUntil} IS NULL`)),
    tx
      .update(pushConsumers)
      .set({ cursor: sql`min(${pushConsumers.cursor}, ${after})`, generation: sql`${pushConsumers.generation} + 1` })
      .where(eq(pushConsumers.id, id)),
  ]);
}

/** Enables a disabled consumer: its waiting deliveries are due at once, and it starts healthy. */
export async function enableConsumer(atomic: Atomic, id: string, now: number): Promise<void> {
  await atomic((tx) => [
    tx.update(pushConsumers).set({ disabledAt: null, disabledReason: null, failingSince: null }).where(eq(pushConsumers.id, id)),
    tx.update(pushDeliveries).set({ nextAttemptAt: now }).where(and(eq(pushDeliveries.consumerId, id), eq(pushDeliveries.state, 'queued'))),
  ]);
}

/** The newest attempts first; `before` is an attempt id (the `next_cursor` of the page before). */
export async function attemptsOf(db: Db, consumerId: string, limit: number, before?: number) {
  return db
    .select()
    .from(pushAttempts)
    .where(and(eq(pushAttempts.consumerId, consumerId), before === undefined ? undefined : lt(pushAttempts.id, before)))
    .orderBy(desc(pushAttempts.id))
    .limit(limit)
    .all();
}

/** Where a webhook's deliveries go and the secret that signs them. */
export async function webhookTarget(db: Db, id: string) {
  return db.select({ url: webhooks.url, secret: webhooks.secret }).from(webhooks).where(eq(webhooks.id, id)).get();
}
