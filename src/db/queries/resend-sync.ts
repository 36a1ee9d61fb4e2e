import { and, asc, eq, gt, inArray, sql } from 'drizzle-orm';
import type { Atomic, Db } from '../types';
import { changes, lists, outbox, pushConsumers, pushDeliveries, resendContacts, resendSyncs, subscriptions } from '../schema';
import { changeTypes } from '../../domain/webhook-payload';

const countOf = (state: 'queued' | 'delivered' | 'failed') =>
  sql<number>`(SELECT count(*) FROM ${pushDeliveries} WHERE ${pushDeliveries.consumerId} = ${resendSyncs.id} AND ${pushDeliveries.state} = ${state})`.mapWith(Number);

const syncColumns = {
  id: resendSyncs.id,
  listId: resendSyncs.listId,
  list: lists.slug,
  segmentId: resendSyncs.segmentId,
  topicId: resendSyncs.topicId,
  createdBy: resendSyncs.createdBy,
  createdAt: pushConsumers.createdAt,
  cursor: pushConsumers.cursor,
  failingSince: pushConsumers.failingSince,
  lastSuccessAt: pushConsumers.lastSuccessAt,
  lastFailureAt: pushConsumers.lastFailureAt,
  disabledAt: pushConsumers.disabledAt,
  disabledReason: pushConsumers.disabledReason,
  pending: countOf('queued'),
  synced: countOf('delivered'),
  failed: countOf('failed'),
};

const syncs = (db: Db) => db.select(syncColumns).from(resendSyncs).innerJoin(pushConsumers, eq(pushConsumers.id, resendSyncs.id)).innerJoin(lists, eq(lists.id, resendSyncs.listId));

/** A list's Resend sync with its progress (deliveries waiting, done, given up), or undefined. */
export async function findSync(db: Db, listId: number) {
  return syncs(db).where(eq(resendSyncs.listId, listId)).get();
}
export type SyncRow = NonNullable<Awaited<ReturnType<typeof findSync>>>;

/** Every synced list (the inbound `contact.updated` reaches all of them). */
export async function allSyncs(db: Db): Promise<SyncRow[]> {
  return syncs(db).orderBy(asc(lists.slug)).all();
}

/**
 * Makes (or re-points) a list's sync. A new one's consumer starts at the beginning of the feed, so
 * the list's history is the backlog: each subscription's newest event syncs its current state.
 * Changing the destination replays the list into it the same way (a new generation).
 */
export async function putSync(atomic: Atomic, s: { id: string; listId: number; slug: string; segmentId: string; topicId: string; createdBy: string; now: number }): Promise<void> {
  await atomic((tx) => [
    tx
      .insert(pushConsumers)
      .values({ id: s.id, kind: 'resend_sync', types: [...changeTypes], lists: [s.slug], cursor: 0, createdAt: s.now })
      .onConflictDoUpdate({ target: pushConsumers.id, set: { cursor: 0, generation: sql`${pushConsumers.generation} + 1`, disabledAt: null, disabledReason: null, failingSince: null } }),
    tx.delete(pushDeliveries).where(and(eq(pushDeliveries.consumerId, s.id), eq(pushDeliveries.state, 'queued'), sql`${pushDeliveries.leasedUntil} IS NULL`)),
    tx
      .insert(resendSyncs)
      .values({ id: s.id, listId: s.listId, segmentId: s.segmentId, topicId: s.topicId, createdBy: s.createdBy })
      .onConflictDoUpdate({ target: resendSyncs.id, set: { segmentId: s.segmentId, topicId: s.topicId } }),
  ]);
}

/** Stops syncing a list: its consumer, queue and attempts go (the contacts in Resend stay). */
export async function deleteSync(db: Db, id: string): Promise<void> {
  await db.delete(pushConsumers).where(eq(pushConsumers.id, id));
}

/** Where a sync consumer's deliveries go. */
export async function syncTarget(db: Db, consumerId: string) {
  return db.select({ listId: resendSyncs.listId, segmentId: resendSyncs.segmentId, topicId: resendSyncs.topicId }).from(resendSyncs).where(eq(resendSyncs.id, consumerId)).get();
}

/**
 * A feed event with its subscription as it reads now, for the sync: the state to mirror, whether a
 * newer announced event of the same subscription follows (that one will mirror it), and the
 * Resend contact the subscription was written to.
 */
export async function syncSubject(db: Db, seq: number) {
  return db
    .select({
      type: changes.type,
      publicId: changes.publicId,
      subscriptionId: changes.subscriptionId,
      state: subscriptions.state,
      email: subscriptions.email,
      name: subscriptions.name,
      unsubscribeSource: subscriptions.unsubscribeSource,
      subscriptionPublicId: subscriptions.publicId,
      // The inner table is aliased, so the outer event's columns are the ones named here.
      superseded: sql<boolean>`EXISTS (SELECT 1 FROM changes AS newer WHERE newer.subscription_id = ${changes.subscriptionId} AND newer.seq > ${changes.seq} AND newer.silent = 0)`.mapWith(Boolean),
      contactId: resendContacts.contactId,
    })
    .from(changes)
    .leftJoin(subscriptions, eq(subscriptions.id, changes.subscriptionId))
    .leftJoin(resendContacts, eq(resendContacts.publicId, sql`coalesce(${changes.publicId}, ${subscriptions.publicId})`))
    .where(eq(changes.seq, seq))
    .get();
}
export type SyncSubject = NonNullable<Awaited<ReturnType<typeof syncSubject>>>;

/** Remembers the Resend contact a subscription was written to (for its erasure). */
export async function rememberContact(db: Db, publicId: string, contactId: string, now: number): Promise<void> {
  await db.insert(resendContacts).values({ publicId, contactId, at: now }).onConflictDoUpdate({ target: resendContacts.publicId, set: { contactId, at: now } });
}

/** Forgets a deleted contact under every subscription that pointed at it. */
export async function forgetContact(db: Db, contactId: string): Promise<void> {
  await db.delete(resendContacts).where(eq(resendContacts.contactId, contactId));
}

/** Whether confirmation mail waits to be sent now (sync yields the provider to it). */
export async function mailIsDue(db: Db, now: number): Promise<boolean> {
  const row = await db.select({ id: outbox.id }).from(outbox).where(and(eq(outbox.state, 'queued'), sql`${outbox.nextAttemptAt} <= ${now}`)).limit(1).get();
  return !!row;
}

/** A list's confirmed subscribers (address and public id), a page after `afterId` (drift checks). */
export async function confirmedPage(db: Db, listId: number, afterId: number, limit: number) {
  return db
    .select({ id: subscriptions.id, email: subscriptions.email, key: subscriptions.key, publicId: subscriptions.publicId, name: subscriptions.name })
    .from(subscriptions)
    .where(and(eq(subscriptions.listId, listId), eq(subscriptions.state, 'confirmed'), gt(subscriptions.id, afterId)))
    .orderBy(asc(subscriptions.id))
    .limit(limit)
    .all();
}

/** The subscriptions of a list for these keys (drift: what a Resend contact is here). */
export async function subscriptionsByKeys(db: Db, listId: number, keys: string[]) {
  if (!keys.length) return [];
  return db
    .select({ key: subscriptions.key, state: subscriptions.state, publicId: subscriptions.publicId, email: subscriptions.email, name: subscriptions.name })
    .from(subscriptions)
    .where(and(eq(subscriptions.listId, listId), inArray(subscriptions.key, keys)))
    .all();
}
