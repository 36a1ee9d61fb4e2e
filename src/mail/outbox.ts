import { and, eq, inArray, isNotNull, notExists, sql } from 'drizzle-orm';
import type { Db, Deps, SendOutcome } from '../deps';
import { outbox, outboxBatches, subscriptions } from '../db/schema';
import { type Batch, batchMembers, claimBatch, type Member, openBatch, releaseBatch } from '../db/queries/outbox';
import { randomToken } from '../domain/ids';

export type DrainResult = { requests: number; sent: number; failed: number; retryLater: boolean; waitMs?: number };
type Ports = Pick<Deps, 'db' | 'atomic' | 'mailer' | 'clock' | 'logger' | 'config'>;
/**
 * Called right before a request: waits for the rate limit and answers a function to call when the
 * answer is in, or false when the drainer is stopping and must not send.
 */
export type Pace = () => Promise<(() => void) | false>;

const MAX_BACKOFF_MS = 10 * 60_000;

/** Exponential backoff with full jitter (capped at 10 minutes), never shorter than the provider asked. */
export function backoffMs(attempt: number, retryAfterMs?: number, random = Math.random): number {
  const base = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.min(attempt, 12));
  const jittered = base / 2 + random() * (base / 2);
  return Math.max(jittered, retryAfterMs ?? 0);
}

/**
 * Decides who goes in this request. A batch in doubt (an earlier request may have been accepted)
 * goes again exactly as before with the same key, or the provider would see a different body under
 * a key it holds. Otherwise members suppressed/erased meanwhile or past the age limit are dropped,
 * and the key is renewed so the smaller batch is a new request.
 */
function plan(deps: Ports, batch: Batch, members: Member[], now: number) {
  const maxAgeMs = deps.config.OUTBOX_MAX_AGE_HOURS * 3600_000;
  const old = (m: Member) => m.createdAt + maxAgeMs <= now;
  if (batch.attempts >= deps.config.OUTBOX_MAX_ATTEMPTS || (batch.inDoubt && members.some(old))) {
    return { send: [], drop: members.map((m) => ({ m, why: `gave up after ${batch.attempts} attempts: ${batch.lastError ?? 'too old'}` })) };
  }
  if (batch.inDoubt) return { send: members, drop: [] };
  const drop = members.flatMap((m) => (m.withdrawn ? [{ m, why: 'withdrawn: suppressed or erased before sending' }] : old(m) ? [{ m, why: 'gave up: too old' }] : []));
  return { send: members.filter((m) => !drop.some((d) => d.m === m)), drop };
}

/** Sends one claimed batch and records the outcome; the batch row holds the key across retries and crashes. */
/**
 * Once a batch is done, its mails to subscriptions erased (or purged) while it was being sent are
 * deleted: they were kept only so an in-doubt retry could resend the identical body.
 */
function forgetErased(tx: Db, batchId: string) {
  return tx
    .delete(outbox)
    .where(and(eq(outbox.batchId, batchId), isNotNull(outbox.subscriptionId), notExists(tx.select({ one: sql`1` }).from(subscriptions).where(eq(subscriptions.id, outbox.subscriptionId)))));
}

async function sendBatch(deps: Ports, batch: Batch, pace: Pace): Promise<DrainResult | null> {
  const { db, logger } = deps;
  const now = deps.clock.now();
  const { send, drop } = plan(deps, batch, await batchMembers(db, batch.id), now);
  const failDropped = (tx: typeof db) =>
    drop.map(({ m, why }) => tx.update(outbox).set({ state: 'failed', lastError: why }).where(and(eq(outbox.id, m.id), eq(outbox.state, 'sending'))));
  if (drop.length) logger.warn('outbox mails dropped before sending', { batch: batch.id, mails: drop.length, reason: drop[0].why });
  if (send.length === 0) {
    await deps.atomic((tx) => [...failDropped(tx), tx.update(outboxBatches).set({ state: 'done', leasedUntil: null }).where(eq(outboxBatches.id, batch.id)), forgetErased(tx, batch.id)]);
    return { requests: 0, sent: 0, failed: drop.length, retryLater: false };
  }
  const answered = await pace();
  if (!answered) {
    await releaseBatch(db, batch.id);
    return null;
  }
  // Committed before the request: from here on a crash leaves the batch in doubt.
  const key = drop.length ? `listgate-${batch.id}-${randomToken(6)}` : batch.idempotencyKey;
  await deps.atomic((tx) => [...failDropped(tx), tx.update(outboxBatches).set({ inDoubt: true, idempotencyKey: key }).where(eq(outboxBatches.id, batch.id))]);

  const outcome: SendOutcome = await deps.mailer.send(send.map((m) => m.message), { idempotencyKey: key }).catch((err: Error) => ({ ok: false as const, retryable: true, inDoubt: true, error: `mailer threw: ${err.message}` }));
  answered();
  const at = deps.clock.now();
  const ids = send.map((m) => m.id);
  const attempts = batch.attempts + 1;
  if (!outcome.ok && outcome.retryable) {
    const wait = backoffMs(attempts, outcome.retryAfterMs);
    await deps.atomic((tx) => [
      tx.update(outboxBatches)
        .set({ attempts, nextAttemptAt: at + wait, leasedUntil: null, inDoubt: batch.inDoubt || !!outcome.inDoubt, lastError: outcome.error })
        .where(eq(outboxBatches.id, batch.id)),
      tx.update(outbox).set({ attempts: sql`${outbox.attempts} + 1`, lastError: outcome.error }).where(inArray(outbox.id, ids)),
    ]);
    logger.warn('outbox batch will be retried', { batch: batch.id, mails: ids.length, error: outcome.error, waitMs: Math.round(wait) });
    return { requests: 1, sent: 0, failed: drop.length, retryLater: true, waitMs: wait };
  }
  const results = outcome.ok ? outcome.results : ids.map(() => ({ error: outcome.error, permanent: true as const }));
  await deps.atomic((tx) => [
    ...send.map((m, i) => {
      const r = results[i] ?? { error: 'no result from provider' };
      return 'id' in r
        ? tx.update(outbox).set({ state: 'sent', sentAt: at, providerId: r.id, attempts: m.attempts + 1, lastError: null }).where(eq(outbox.id, m.id))
        : tx.update(outbox).set({ state: 'failed', lastError: r.error, attempts: m.attempts + 1 }).where(eq(outbox.id, m.id));
    }),
    tx.update(outboxBatches).set({ state: 'done', attempts, leasedUntil: null, lastError: outcome.ok ? null : outcome.error }).where(eq(outboxBatches.id, batch.id)),
    forgetErased(tx, batch.id),
  ]);
  const failed = results.filter((r) => !('id' in r)).length;
  if (failed) logger.error('outbox mails failed permanently', { batch: batch.id, failed, error: outcome.ok ? results.find((r) => 'error' in r) : outcome.error });
  return { requests: 1, sent: ids.length - failed, failed: failed + drop.length, retryLater: false };
}

/**
 * One provider request at most: an open batch that is due first (retries keep their key and
 * members), else a new batch of due queued mails. Answers null when there was nothing to send.
 */
export async function drainStep(deps: Ports, pace: Pace = async () => () => {}): Promise<DrainResult | null> {
  const now = deps.clock.now();
  let batch = await claimBatch(deps.db, now);
  if (!batch) {
    const id = `b_${randomToken(12)}`;
    if (!(await openBatch(deps.db, deps.atomic, now, deps.mailer.maxBatch, id))) return null;
    batch = await claimBatch(deps.db, now, id);
    if (!batch) return null;
  }
  return sendBatch(deps, batch, pace);
}

/**
 * Claims the due queued mails into a new batch and sends it, leaving open batches to the periodic
 * drain. For runtimes where drains run concurrently (Workers: one per signup plus the cron): a
 * signup's own mail goes out at once instead of waiting behind a batch another drain is sending.
 */
export async function sendNewBatch(deps: Ports): Promise<DrainResult | null> {
  const now = deps.clock.now();
  const id = `b_${randomToken(12)}`;
  if (!(await openBatch(deps.db, deps.atomic, now, deps.mailer.maxBatch, id))) return null;
  const batch = await claimBatch(deps.db, now, id);
  return batch ? sendBatch(deps, batch, async () => () => {}) : null;
}

/**
 * Drains until nothing is due, a retry must wait, or `maxRequests` were made (the Workers cron).
 * `spacingMs` paces requests like the Node loop does.
 */
export async function drainDue(deps: Ports, maxRequests = 10, opts: { spacingMs?: number } = {}) {
  const total = { requests: 0, sent: 0, failed: 0 };
  let last = 0;
  const pace: Pace = async () => {
    const gap = last + (opts.spacingMs ?? 0) - Date.now();
    if (last && gap > 0) await new Promise((r) => setTimeout(r, gap));
    return () => void (last = Date.now());
  };
  for (let i = 0; i < maxRequests; i++) {
    const r = await drainStep(deps, pace);
    if (!r) break;
    total.requests += r.requests;
    total.sent += r.sent;
    total.failed += r.failed;
    if (r.retryLater) break;
  }
  return total;
}
