import type { Deps } from '../deps';
import { retryAfterSeconds, storageFault } from '../db/errors';
import { oldestWaitingMailAt, readTransportRecord } from '../db/queries/mail-transport';
import { putSetting } from '../db/queries/settings';
import { failuresLastHour, transportRefusing } from '../mail/transport-health';

export type HealthReport = {
  /** `degraded`: the database works but the mail transport refuses every send. */
  status: 'ok' | 'degraded' | 'unavailable';
  database: 'ok' | 'unavailable';
  outbox?: { oldest_waiting_seconds: number | null; failures_last_hour: number; transport: 'ok' | 'refusing' };
};

/**
 * GET /healthz and `listgate doctor`: healthy only while the database accepts a write (a tiny
 * upsert, so a locked, full or read-only database shows), with the outbox's state: the age of the
 * oldest waiting mail, the provider's refusals in the last hour, and whether it refuses every send.
 */
export async function checkHealth(deps: Pick<Deps, 'db' | 'clock'>): Promise<{ healthy: boolean; report: HealthReport; retryAfter?: number }> {
  const now = deps.clock.now();
  try {
    await putSetting(deps.db, 'health_probe', String(now));
  } catch (err) {
    const fault = storageFault(err);
    return { healthy: false, report: { status: 'unavailable', database: 'unavailable' }, retryAfter: fault ? retryAfterSeconds(fault) : 30 };
  }
  // The provider's own words stay out of this public answer; the console shows them to operators.
  const { outbox } = await mailHealth(deps);
  return { healthy: true, report: { status: outbox.transport === 'refusing' ? 'degraded' : 'ok', database: 'ok', outbox } };
}

export type MailHealth = { outbox: NonNullable<HealthReport['outbox']>; error: string | null };

/**
 * The outbox part of the health report, read without the write probe (the operator console shows
 * it on every page): the oldest waiting mail's age, the provider's refusals in the last hour,
 * whether it refuses every send, and what it said last time it refused.
 */
export async function mailHealth(deps: Pick<Deps, 'db' | 'clock'>): Promise<MailHealth> {
  const now = deps.clock.now();
  const [oldest, transport] = await Promise.all([oldestWaitingMailAt(deps.db), readTransportRecord(deps.db)]);
  const refusing = transportRefusing(transport, now);
  return {
    outbox: {
      oldest_waiting_seconds: oldest === null ? null : Math.max(0, Math.floor((now - oldest) / 1000)),
      failures_last_hour: failuresLastHour(transport, now),
      transport: refusing ? 'refusing' : 'ok',
    },
    error: refusing ? transport.error : null,
  };
}
