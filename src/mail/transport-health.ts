import type { Deps } from '../deps';
import { readTransportRecord, writeTransportRecord, type TransportRecord } from '../db/queries/mail-transport';

const HOUR_MS = 3600_000;

/** Refusals within the hour before `now`. */
export const failuresLastHour = (r: TransportRecord, now: number) => r.failures.filter((t) => t > now - HOUR_MS).length;

/**
 * The transport refuses every send: its last request was refused, nothing was accepted since, and
 * that was within the last hour (after an hour without any request the status is ok again).
 */
export function transportRefusing(r: TransportRecord, now: number): boolean {
  return r.failAt !== null && (r.okAt === null || r.failAt > r.okAt) && failuresLastHour(r, now) > 0;
}

/**
 * Records a provider request's outcome, and logs only when the transport's state changes: one
 * clear error when it starts refusing (not a line per mail or per retry), one line when it works again.
 * Answers whether this refusal continues a run of refusals already reported.
 */
export async function noteSendOutcome(deps: Pick<Deps, 'db' | 'clock' | 'logger' | 'mailer'>, outcome: { ok: true } | { ok: false; error: string }): Promise<{ alreadyReported: boolean }> {
  const now = deps.clock.now();
  const before = await readTransportRecord(deps.db);
  const wasRefusing = transportRefusing(before, now);
  const failures = before.failures.filter((t) => t > now - HOUR_MS).slice(-999);
  if (outcome.ok) {
    if (wasRefusing) deps.logger.info('mail transport works again: the outbox is sending', { transport: deps.mailer.name, failuresLastHour: failures.length });
    // One write per request while things work would be wasted: only a change of state is written.
    if (before.okAt === null || wasRefusing || now - before.okAt > 60_000) await writeTransportRecord(deps.db, { ...before, okAt: now, failures });
    return { alreadyReported: false };
  }
  await writeTransportRecord(deps.db, { okAt: before.okAt, failAt: now, error: outcome.error.slice(0, 500), failures: [...failures, now] });
  if (!wasRefusing) {
    deps.logger.error('mail transport refuses to send: mail waits in the outbox and is retried; /healthz says degraded until a send succeeds', {
      transport: deps.mailer.name,
      error: outcome.error,
    });
  }
  return { alreadyReported: wasRefusing };
}
