import type { Deps } from '../deps';
import {
  activeConsumers,
  claimDue,
  deferDelivery,
  disableIfFailingSince,
  dropDelivery,
  FAN_OUT_CHUNK,
  fanOutConsumer,
  feedHead,
  type PushConsumer,
  type PushDelivery,
  recordAttempt,
} from '../db/queries/push';
import { DAY_MS } from '../domain/time';
import { retryDelayMs } from '../domain/retry-schedule';

export type PushPorts = Pick<Deps, 'db' | 'atomic' | 'clock' | 'logger' | 'config'>;

/** What one attempt to push a delivery came to, as its sender saw it. */
export type SendResult =
  | { ok: boolean; status: number | null; error: string | null; excerpt: string | null; durationMs: number }
  /** Not attempted and never will be: what it was for is gone (a deleted list or target). */
  | { drop: string }
  /** Not attempted yet: the sender had no turn (a shared rate limit); due again after `defer` ms, no attempt counted. */
  | { defer: number };

/**
 * Sends one delivery of one consumer: it builds the message when it is sent (from the feed as it
 * reads now) and makes one attempt. Each kind of consumer has one (webhooks, Resend contact sync).
 */
export type PushSender = (ports: PushPorts, delivery: PushDelivery) => Promise<SendResult>;

/** The sender of each kind of consumer this runtime can serve; consumers of other kinds wait. */
export type PushSenders = Partial<Record<PushConsumer['kind'], PushSender>>;

/** Fan-out chunks per consumer per call: the rest waits for the next call. */
const MAX_CHUNKS = 10;

/**
 * Turns new feed events into deliveries for every enabled consumer. Work that belongs to no
 * request: the Node loop and the Workers cron call it, so signups and confirmations never wait on it.
 */
export async function fanOut(ports: PushPorts): Promise<void> {
  const consumers = await activeConsumers(ports.db);
  if (consumers.length === 0) return;
  const head = await feedHead(ports.db);
  for (const c of consumers) {
    for (let cursor = c.cursor, n = 0; cursor < head && n < MAX_CHUNKS; n++) {
      const upTo = Math.min(head, cursor + FAN_OUT_CHUNK);
      await fanOutConsumer(ports.atomic, { ...c, cursor, upTo, now: ports.clock.now() });
      cursor = upTo;
    }
  }
}

export type PushResult = { claimed: number; attempted: number; delivered: number; failed: number };

/** Deliveries one lane claims at a time. */
export const LANE_CLAIM = 10;

/**
 * One consumer's lane: claims up to `max` of its due deliveries and sends them in feed order, one
 * at a time (a receiver sees events in order while it answers). Lanes of different consumers run
 * side by side, so a slow or unreachable receiver holds up only its own. Each message keeps its own
 * place in the retry schedule. `pause` runs before each attempt (Node: it waits while requests keep
 * the process busy).
 */
export async function runLane(ports: PushPorts, send: PushSender, consumerId: string, max = LANE_CLAIM, pause?: () => Promise<void>): Promise<PushResult> {
  const claimed = await claimDue(ports.db, consumerId, ports.clock.now(), max, ports.config.WEBHOOK_TIMEOUT_MS * (max + 1));
  const result: PushResult = { claimed: claimed.length, attempted: 0, delivered: 0, failed: 0 };
  for (const [i, d] of claimed.entries()) {
    await pause?.();
    const outcome = await pushOne(ports, send, d);
    if (typeof outcome === 'number') {
      // No turn for this one: none for the rest of the claim either; they wait as long.
      for (const rest of claimed.slice(i + 1)) await deferDelivery(ports.db, rest.id, outcome);
      break;
    }
    if (outcome === 'dropped') continue;
    result.attempted++;
    result[outcome]++;
  }
  return result;
}

/**
 * One attempt, recorded; a consumer failing for WEBHOOK_DISABLE_AFTER_DAYS is disabled (and says so
 * once). A deferred delivery answers when it is due again.
 */
async function pushOne(ports: PushPorts, send: PushSender, d: PushDelivery): Promise<'delivered' | 'failed' | 'dropped' | number> {
  const { db, logger, config } = ports;
  const r = await send(ports, d).catch((err: Error) => ({ ok: false, status: null, error: `sender failed: ${err.name}`, excerpt: null, durationMs: 0 }));
  const at = ports.clock.now();
  if ('drop' in r) {
    await dropDelivery(db, d.id, r.drop, at);
    logger.info('push delivery dropped', { consumer: d.consumerId, seq: d.seq, reason: r.drop });
    return 'dropped';
  }
  if ('defer' in r) {
    await deferDelivery(db, d.id, at + r.defer);
    return at + r.defer;
  }
  const attempt = d.attempts + 1;
  const failure = r.error ?? `HTTP ${r.status}`;
  const base = { delivery: d, attempt, at, durationMs: r.durationMs, status: r.status, error: r.error, excerpt: r.excerpt };
  if (r.ok) {
    await recordAttempt(ports.atomic, { ...base, outcome: 'delivered' });
    return 'delivered';
  }
  const wait = retryDelayMs(attempt);
  if (wait === null) {
    await recordAttempt(ports.atomic, { ...base, outcome: 'failed' });
    logger.warn('push message given up after its last retry', { consumer: d.consumerId, message: d.messageId, seq: d.seq, attempts: attempt, error: failure });
  } else {
    await recordAttempt(ports.atomic, { ...base, outcome: 'retrying', nextAttemptAt: at + wait });
    logger.debug('push attempt failed; will retry', { consumer: d.consumerId, message: d.messageId, attempt, waitMs: wait, error: failure });
  }
  const days = config.WEBHOOK_DISABLE_AFTER_DAYS;
  const reason = `every attempt failed for ${days} days; last: ${failure}`;
  if (await disableIfFailingSince(db, d.consumerId, at - days * DAY_MS, at, reason)) {
    logger.warn('push consumer disabled (a webhook or a Resend sync): every attempt failed for days', { consumer: d.consumerId, days, error: failure });
  }
  return 'failed';
}

/**
 * Fans out, then runs every enabled consumer's lane once, each with its share of `maxRequests`
 * attempts (the Workers cron: each attempt is a subrequest; what is left waits for the next run).
 */
export async function pushDue(ports: PushPorts, senders: PushSenders, maxRequests = 20): Promise<PushResult> {
  await fanOut(ports);
  const consumers = (await activeConsumers(ports.db)).filter((c) => senders[c.kind]);
  const share = Math.max(1, Math.floor(maxRequests / Math.max(1, consumers.length)));
  const results = await Promise.all(consumers.slice(0, maxRequests).map((c) => runLane(ports, senders[c.kind]!, c.id, share)));
  return results.reduce(
    (a, r) => ({ claimed: a.claimed + r.claimed, attempted: a.attempted + r.attempted, delivered: a.delivered + r.delivered, failed: a.failed + r.failed }),
    { claimed: 0, attempted: 0, delivered: 0, failed: 0 },
  );
}
