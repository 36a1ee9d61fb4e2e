import { and, asc, eq, inArray, lte, sql } from 'drizzle-orm';
import type { Deps } from '../deps';
import { outbox, outboxBatches } from '../db/schema';
import { randomToken } from '../domain/ids';

export type DrainResult = { requests: number; sent: number; failed: number; retryLater: boolean; waitMs?: number };

/** Exponential backoff with full jitter, never shorter than what the provider asked for. */
export function backoffMs(attempt: number, retryAfterMs?: number, random = Math.random): number {
  const base = Math.min(5 * 60_000, 1000 * 2 ** Math.min(attempt, 12));
  const jittered = base / 2 + random() * (base / 2);
  return Math.max(jittered, retryAfterMs ?? 0);
}

type Ports = Pick<Deps, 'db' | 'atomic' | 'mailer' | 'clock' | 'logger' | 'config'>;

/** Claims due queued mails into a new batch; its members and key are committed before any request. */
async function openBatch(deps: Ports, now: number): Promise<string | null> {
  const due = await deps.db
    .select({ id: outbox.id })
    .from(outbox)
    .where(and(eq(outbox.state, 'queued'), lte(outbox.nextAttemptAt, now)))
    .orderBy(asc(outbox.id))
    .limit(deps.mailer.maxBatch)
    .all();
  if (due.length === 0) return null;
  const batchId = `b_${randomToken(12)}`;
  const ids = due.map((r) => r.id);
  await deps.atomic((db) => [
    db.insert(outboxBatches).values({ id: batchId, idempotencyKey: `listgate-${batchId}`, nextAttemptAt: now, createdAt: now }),
    db.update(outbox).set({ state: 'sending', batchId }).where(and(inArray(outbox.id, ids), eq(outbox.state, 'queued'))),
  ]);
  return batchId;
}

/** Sends one stored batch (new or left open by a failure or crash) with its own idempotency key. */
async function sendBatch(deps: Ports, batch: typeof outboxBatches.$inferSelect, now: number): Promise<DrainResult> {
  const members = await deps.db.select().from(outbox).where(eq(outbox.batchId, batch.id)).orderBy(asc(outbox.id)).all();
  if (members.length === 0) {
    await deps.db.update(outboxBatches).set({ state: 'done' }).where(eq(outboxBatches.id, batch.id));
    return { requests: 0, sent: 0, failed: 0, retryLater: false };
  }
  const maxAgeMs = deps.config.OUTBOX_MAX_AGE_HOURS * 3600_000;
  const expired = batch.createdAt + maxAgeMs <= now || batch.attempts >= deps.config.OUTBOX_MAX_ATTEMPTS;
  if (expired) {
    await deps.atomic((db) => [
      db.update(outbox).set({ state: 'failed', lastError: 'gave up: too old or too many attempts' }).where(eq(outbox.batchId, batch.id)),
      db.update(outboxBatches).set({ state: 'done' }).where(eq(outboxBatches.id, batch.id)),
    ]);
    deps.logger.error('outbox batch given up', { batch: batch.id, mails: members.length, attempts: batch.attempts });
    return { requests: 0, sent: 0, failed: members.length, retryLater: false };
  }

  const outcome = await deps.mailer.send(members.map((m) => m.message), { idempotencyKey: batch.idempotencyKey });
  const at = deps.clock.now();
  if (!outcome.ok) {
    if (outcome.retryable) {
      const wait = backoffMs(batch.attempts + 1, outcome.retryAfterMs);
      await deps.db
        .update(outboxBatches)
        .set({ attempts: batch.attempts + 1, nextAttemptAt: at + wait })
        .where(eq(outboxBatches.id, batch.id));
      await deps.db.update(outbox).set({ attempts: sql`${outbox.attempts} + 1`, lastError: outcome.error }).where(eq(outbox.batchId, batch.id));
      deps.logger.warn('outbox batch will be retried', { batch: batch.id, error: outcome.error, waitMs: Math.round(wait) });
      return { requests: 1, sent: 0, failed: 0, retryLater: true, waitMs: outcome.retryAfterMs };
    }
    await deps.atomic((db) => [
      db.update(outbox).set({ state: 'failed', lastError: outcome.error, attempts: sql`${outbox.attempts} + 1` }).where(eq(outbox.batchId, batch.id)),
      db.update(outboxBatches).set({ state: 'done', attempts: batch.attempts + 1 }).where(eq(outboxBatches.id, batch.id)),
    ]);
    deps.logger.error('outbox batch failed permanently', { batch: batch.id, error: outcome.error });
    return { requests: 1, sent: 0, failed: members.length, retryLater: false };
  }

  let failed = 0;
  await deps.atomic((db) => [
    ...members.map((m, i) => {
      const r = outcome.results[i];
      if (r && 'id' in r) return db.update(outbox).set({ state: 'sent', sentAt: at, providerId: r.id, attempts: m.attempts + 1 }).where(eq(outbox.id, m.id));
      failed++;
      return db.update(outbox).set({ state: 'failed', lastError: r?.error ?? 'no result', attempts: m.attempts + 1 }).where(eq(outbox.id, m.id));
    }),
    db.update(outboxBatches).set({ state: 'done', attempts: batch.attempts + 1 }).where(eq(outboxBatches.id, batch.id)),
  ]);
  if (failed) deps.logger.warn('outbox mails rejected by provider', { batch: batch.id, failed });
  return { requests: 1, sent: members.length - failed, failed, retryLater: false };
}

/**
 * One provider request at most: an open batch that is due first (retries keep their key and
 * members), else a new batch of due queued mails. Answers what happened, for the loop's pacing.
 */
export async function drainStep(deps: Ports): Promise<DrainResult | null> {
  const now = deps.clock.now();
  const open = await deps.db
    .select()
    .from(outboxBatches)
    .where(and(eq(outboxBatches.state, 'open'), lte(outboxBatches.nextAttemptAt, now)))
    .orderBy(asc(outboxBatches.createdAt))
    .limit(1)
    .get();
  if (open) return sendBatch(deps, open, now);
  const id = await openBatch(deps, now);
  if (!id) return null;
  const batch = await deps.db.select().from(outboxBatches).where(eq(outboxBatches.id, id)).get();
  return batch ? sendBatch(deps, batch, now) : null;
}

/**
 * Claims the due queued mails into a new batch and sends it, leaving open batches to the periodic
 * drain. For runtimes where drains run concurrently (Workers: one per signup plus the cron): a
 * signup's own mail goes out at once instead of waiting behind a batch another drain is sending.
 */
export async function sendNewBatch(deps: Ports): Promise<DrainResult | null> {
  const now = deps.clock.now();
  const id = await openBatch(deps, now);
  if (!id) return null;
  const batch = await deps.db.select().from(outboxBatches).where(eq(outboxBatches.id, id)).get();
  return batch ? sendBatch(deps, batch, now) : null;
}

/** Drains until nothing is due or `maxRequests` is reached (Workers cron and waitUntil). */
export async function drainDue(deps: Ports, maxRequests = 10): Promise<{ requests: number; sent: number; failed: number }> {
  const total = { requests: 0, sent: 0, failed: 0 };
  for (let i = 0; i < maxRequests; i++) {
    const r = await drainStep(deps);
    if (!r) break;
    total.requests += r.requests;
    total.sent += r.sent;
    total.failed += r.failed;
    if (r.retryLater) break;
  }
  return total;
}
