import { and, asc, eq, gt, inArray, isNull, lte, min, or, sql } from 'drizzle-orm';
import type { Atomic, Db } from '../../deps';
import { outbox, outboxBatches, subscriptions } from '../schema';

export type Batch = typeof outboxBatches.$inferSelect;

/** How long a drainer holds a batch: longer than a request may take (the mailers time out sooner). */
export const LEASE_MS = 60_000;

const unleased = (now: number) => or(isNull(outboxBatches.leasedUntil), lte(outboxBatches.leasedUntil, now));

/**
 * Takes the oldest open batch that is due and not held by another drainer, in one statement so two
 * drainers (Workers: a wake and the cron) never send the same batch at once. `id` limits it to one batch.
 */
export async function claimBatch(db: Db, now: number, id?: string): Promise<Batch | undefined> {
  const candidate = db
    .select({ id: outboxBatches.id })
    .from(outboxBatches)
    .where(and(eq(outboxBatches.state, 'open'), lte(outboxBatches.nextAttemptAt, now), unleased(now), id ? eq(outboxBatches.id, id) : undefined))
    .orderBy(asc(outboxBatches.createdAt))
    .limit(1);
  return db
    .update(outboxBatches)
    .set({ leasedUntil: now + LEASE_MS })
    .where(and(inArray(outboxBatches.id, candidate), unleased(now)))
    .returning()
    .get();
}

/** Lets a batch go without sending it (stopping): it is due again at once. */
export async function releaseBatch(db: Db, id: string): Promise<void> {
  await db.update(outboxBatches).set({ leasedUntil: null }).where(eq(outboxBatches.id, id));
}

/** On a Node start the process owns the file: batches held by a killed predecessor are free again. */
export async function releaseAllLeases(db: Db): Promise<void> {
  await db.update(outboxBatches).set({ leasedUntil: null }).where(eq(outboxBatches.state, 'open'));
}

/** An open batch backing off (the provider failed or asked us to wait) holds back new batches too. */
const waiting = (now: number) => and(eq(outboxBatches.state, 'open'), gt(outboxBatches.attempts, 0), gt(outboxBatches.nextAttemptAt, now));

/**
 * Claims up to `max` due queued mails into a new batch with its idempotency key, committed before
 * any request. Opens nothing while another batch is backing off: one request probes a failing
 * provider, not one per batch, and never one before its `retry-after`.
 */
export async function openBatch(db: Db, atomic: Atomic, now: number, max: number, newId: string): Promise<boolean> {
  const blocked = await db.select({ id: outboxBatches.id }).from(outboxBatches).where(waiting(now)).limit(1).get();
  if (blocked) return false;
  const due = await db
    .select({ id: outbox.id })
    .from(outbox)
    .where(and(eq(outbox.state, 'queued'), lte(outbox.nextAttemptAt, now)))
    .orderBy(asc(outbox.id))
    .limit(max)
    .all();
  if (due.length === 0) return false;
  await atomic((tx) => [
    tx.insert(outboxBatches).values({ id: newId, idempotencyKey: `listgate-${newId}`, nextAttemptAt: now, createdAt: now }),
    // `state = 'queued'` again: a mail suppressed (or claimed elsewhere) since the read stays out.
    tx.update(outbox).set({ state: 'sending', batchId: newId }).where(and(inArray(outbox.id, due.map((r) => r.id)), eq(outbox.state, 'queued'))),
  ]);
  return true;
}

/**
 * A batch's members in a stable order, with whether each may still be mailed: its subscription
 * was suppressed or erased since it was queued (`withdrawn`). Mails queued without a subscription
 * (operators, benchmarks) are never withdrawn.
 */
export async function batchMembers(db: Db, batchId: string) {
  const rows = await db
    .select({ row: outbox, subscriptionId: subscriptions.id, subscriptionState: subscriptions.state })
    .from(outbox)
    .leftJoin(subscriptions, eq(subscriptions.id, outbox.subscriptionId))
    .where(and(eq(outbox.batchId, batchId), eq(outbox.state, 'sending')))
    .orderBy(asc(outbox.id))
    .all();
  return rows.map((r) => ({
    ...r.row,
    withdrawn: r.row.subscriptionId !== null && (r.subscriptionId === null || r.subscriptionState === 'suppressed'),
  }));
}
export type Member = Awaited<ReturnType<typeof batchMembers>>[number];

/** When the drain loop has something to do next (ms epoch), or null when nothing waits at all. */
export async function nextDueAt(db: Db, now: number): Promise<number | null> {
  const open = await db
    .select({ at: sql<number | null>`min(max(${outboxBatches.nextAttemptAt}, coalesce(${outboxBatches.leasedUntil}, 0)))`.mapWith(Number) })
    .from(outboxBatches)
    .where(eq(outboxBatches.state, 'open'))
    .get();
  const blocked = await db.select({ id: outboxBatches.id }).from(outboxBatches).where(waiting(now)).limit(1).get();
  if (blocked) return open?.at ?? null;
  const queued = await db.select({ at: min(outbox.nextAttemptAt) }).from(outbox).where(eq(outbox.state, 'queued')).get();
  const times = [open?.at, queued?.at].filter((t): t is number => typeof t === 'number');
  return times.length ? Math.min(...times) : null;
}
