import type { Deps, SendOutcome } from '../deps';
import type { Batch } from '../db/types';
import {
  batchMembers,
  claimBatch,
  dueMails,
  isBackingOff,
  markInDoubt,
  type Member,
  openBatch,
  releaseBatch,
  scheduleRetry,
  settleBatch,
} from '../db/queries/outbox';
import type { OutboxMessage } from '../db/types';
import { randomToken } from '../domain/ids';
import { composeMail } from './compose';
import { noteSendOutcome } from './transport-health';

export type DrainResult = { requests: number; sent: number; failed: number; retryLater: boolean; waitMs?: number };
type Ports = Pick<Deps, 'db' | 'atomic' | 'mailer' | 'clock' | 'logger' | 'config' | 'tokens' | 'hashKey'>;
/**
 * Called right before a request: waits for the rate limit and answers a function to call when the
 * answer is in, or false when the drainer is stopping and must not send.
 */
export type Pace = () => Promise<(() => void) | false>;

const MAX_BACKOFF_MS = 10 * 60_000;
/** How often a paused provider (one that refuses every send until the operator acts) is probed. */
const PAUSED_PROBE_MS = 60_000;

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
function chooseRecipients(deps: Ports, batch: Batch, members: Member[], now: number) {
  const maxAgeMs = deps.config.OUTBOX_MAX_AGE_HOURS * 3600_000;
  const old = (m: Member) => m.createdAt + maxAgeMs <= now;
  if (batch.attempts >= deps.config.OUTBOX_MAX_ATTEMPTS || (batch.inDoubt && members.some(old))) {
    return { send: [], drop: members.map((m) => ({ id: m.id, why: `gave up after ${batch.attempts} attempts: ${batch.lastError ?? 'too old'}` })) };
  }
  if (batch.inDoubt) return { send: members, drop: [] };
  const why = (m: Member) => (m.withdrawn ? 'withdrawn: suppressed or erased before sending' : old(m) ? 'gave up: too old' : null);
  return {
    send: members.filter((m) => why(m) === null),
    drop: members.flatMap((m) => (why(m) === null ? [] : [{ id: m.id, why: why(m)! }])),
  };
}

/** Sends one claimed batch and records the outcome; the batch row holds the key across retries and crashes. */
async function sendBatch(deps: Ports, batch: Batch, pace: Pace): Promise<DrainResult | null> {
  const { logger } = deps;
  const { send, drop } = chooseRecipients(deps, batch, await batchMembers(deps.db, batch.id), deps.clock.now());
  if (drop.length) logger.warn('outbox mails dropped before sending', { batch: batch.id, mails: drop.length, reason: drop[0].why });
  if (send.length === 0) {
    await settleBatch(deps.atomic, { batchId: batch.id, ttlMs: ttlMs(deps), dropped: drop, answered: [], batch: { attempts: batch.attempts, lastError: batch.lastError }, at: deps.clock.now() });
    return { requests: 0, sent: 0, failed: drop.length, retryLater: false };
  }
  const answered = await pace();
  if (!answered) {
    await releaseBatch(deps.db, batch.id);
    return null;
  }
  const key = drop.length ? `listgate-${batch.id}-${randomToken(6)}` : batch.idempotencyKey;
  await markInDoubt(deps.atomic, batch.id, key, drop);

  const outcome: SendOutcome = await deps.mailer
    .send(send.map((m) => m.message as OutboxMessage), { idempotencyKey: key })
    .catch((err: Error) => ({ ok: false as const, retryable: true, inDoubt: true, error: `mailer threw: ${err.message}` }));
  answered();
  const at = deps.clock.now();
  // A paused provider's refusal says nothing about these mails: it costs them no attempt.
  const paused = !outcome.ok && outcome.retryable && !!outcome.paused;
  const attempts = paused ? batch.attempts : batch.attempts + 1;
  // After the batch's own state: the transport's (healthz, doctor) and its one log line when it starts or stops refusing.
  const noteTransport = () =>
    noteSendOutcome(deps, outcome.ok ? { ok: true } : { ok: false, error: outcome.error }).catch((err) =>
      logger.warn('mail transport state not recorded', { error: (err as Error).message }),
    );
  if (!outcome.ok && outcome.retryable) {
    const wait = paused ? Math.max(PAUSED_PROBE_MS / 2 + Math.random() * (PAUSED_PROBE_MS / 2), outcome.retryAfterMs ?? 0) : backoffMs(attempts, outcome.retryAfterMs);
    await scheduleRetry(deps.atomic, { batchId: batch.id, mailIds: send.map((m) => m.id), attempts, nextAttemptAt: at + wait, inDoubt: batch.inDoubt || !!outcome.inDoubt, error: outcome.error });
    await noteTransport();
    logger.debug('outbox batch will be retried', { batch: batch.id, mails: send.length, error: outcome.error, waitMs: Math.round(wait) });
    return { requests: 1, sent: 0, failed: drop.length, retryLater: true, waitMs: wait };
  }
  const results = outcome.ok ? outcome.results : send.map(() => ({ error: outcome.error, permanent: true as const }));
  const perMail = send.map((m, i) => {
    const r = results[i] ?? { error: 'no result from provider' };
    return 'id' in r ? { id: m.id, attempts: m.attempts + 1, providerId: r.id } : { id: m.id, attempts: m.attempts + 1, error: r.error };
  });
  await settleBatch(deps.atomic, { batchId: batch.id, ttlMs: ttlMs(deps), dropped: [], answered: perMail, batch: { attempts, lastError: outcome.ok ? null : outcome.error }, at });
  await noteTransport();
  const failed = perMail.filter((r) => 'error' in r).length;
  if (failed) logger.error('outbox mails failed permanently', { batch: batch.id, failed, error: outcome.ok ? results.find((r) => 'error' in r) : outcome.error });
  return { requests: 1, sent: send.length - failed, failed: failed + drop.length, retryLater: false };
}

const ttlMs = (deps: Pick<Ports, 'config'>) => deps.config.CONFIRM_TTL_HOURS * 3_600_000;

// Kept at load: a test's fake timers must not hold the outbox back. (Workers run a drain per request or cron: no yielding needed there.)
const nextTurn = globalThis.setImmediate as typeof setImmediate | undefined;
/** How long the outbox renders mails before it lets the requests waiting on the event loop in. */
const RENDER_SLICE_MS = 2;

/**
 * A pause for the event loop's other work whenever `sliceMs` of this work have passed since the
 * last. Rendering a batch of a hundred mails at once held every request in flight for tens of
 * milliseconds, twice a second under a signup spike (the signup benchmark's p99, bench/RESULTS.md).
 */
function turnTaking(sliceMs: number) {
  let since = performance.now();
  return async () => {
    if (!nextTurn || performance.now() - since < sliceMs) return;
    await new Promise((resolve) => nextTurn(resolve));
    since = performance.now();
  };
}

/**
 * Claims due queued mails into a new batch (unless another batch is backing off: one request probes
 * a failing provider, not one per batch) and answers it claimed, or undefined when nothing is due.
 * Each mail is rendered here, from its list's settings of this moment, and kept with the batch, so
 * a retry sends it identical; a mail rendered by an earlier version goes as it is.
 */
async function openNewBatch(deps: Ports, now: number) {
  if (await isBackingOff(deps.db, now)) return undefined;
  const due = await dueMails(deps.db, now, deps.mailer.maxBatch);
  if (due.length === 0) return undefined;
  const members: Array<{ id: number; message: OutboxMessage }> = [];
  const withdrawn: Array<{ id: number; why: string }> = [];
  const takeTurns = turnTaking(RENDER_SLICE_MS);
  for (const mail of due) {
    await takeTurns();
    const message = mail.message ?? (await composeMail(deps, mail));
    if (message) members.push({ id: mail.id, message });
    else withdrawn.push({ id: mail.id, why: 'withdrawn: the signup is no longer pending' });
  }
  const id = `b_${randomToken(12)}`;
  await openBatch(deps.atomic, id, members, withdrawn, now);
  return members.length ? claimBatch(deps.atomic, now, id) : undefined;
}

/**
 * One provider request at most: an open batch that is due first (retries keep their key and
 * members), else a new batch of due queued mails. Answers null when there was nothing to send.
 */
export async function drainStep(deps: Ports, pace: Pace = async () => () => {}): Promise<DrainResult | null> {
  const now = deps.clock.now();
  const batch = (await claimBatch(deps.atomic, now)) ?? (await openNewBatch(deps, now));
  return batch ? sendBatch(deps, batch, pace) : null;
}

/**
 * Claims the due queued mails into a new batch and sends it, leaving open batches to the periodic
 * drain. For runtimes where drains run concurrently (Workers: one per signup plus the cron): a
 * signup's own mail goes out at once instead of waiting behind a batch another drain is sending.
 */
export async function sendNewBatch(deps: Ports): Promise<DrainResult | null> {
  const batch = await openNewBatch(deps, deps.clock.now());
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
