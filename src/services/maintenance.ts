import type { Deps } from '../deps';
import { allLists } from '../db/queries/lists';
import { purgeExpired } from '../db/queries/retention';
import { MAIL_WINDOW_MS, purgeExpiredPending } from '../db/queries/subscriptions';
import { DAY_MS } from '../domain/time';
import { safeErrorText } from '../logger';
import { purgeConsoleSessions } from './console-sessions';
import { listStats, noteHealthStatus } from './stats';

export type MaintenanceReport = { purgedPending: number; purged?: Awaited<ReturnType<typeof purgeExpired>> };

/**
 * Housekeeping both runtimes run on a timer (Node) or cron (Workers): pending signups whose token
 * expired are deleted, rows past their retention period are purged (README "Retention"), and each
 * list's health is re-checked, so a status that changes only because
 * old events left the 30-day window is still noticed and logged. Each step runs even if an earlier
 * one failed; failures are logged, never thrown.
 */
export async function runMaintenance(deps: Deps): Promise<MaintenanceReport> {
  const report: MaintenanceReport = { purgedPending: 0 };
  await step(deps, 'purge-pending', async () => {
    report.purgedPending = await purgeExpiredPending(deps.db, deps.clock.now());
    if (report.purgedPending) deps.logger.info('expired pending signups deleted', { count: report.purgedPending });
  });
  await step(deps, 'retention', async () => {
    const now = deps.clock.now();
    const { config } = deps;
    const daysAgo = (days: number) => now - days * DAY_MS;
    report.purged = await purgeExpired(deps.db, {
      sentMail: daysAgo(config.RETENTION_SENT_MAIL_DAYS),
      webhookReceipts: daysAgo(config.RETENTION_WEBHOOK_RECEIPTS_DAYS),
      // Never sooner than the soft-bounce rule looks back.
      deliveryEvents: daysAgo(Math.max(config.RETENTION_DELIVERY_EVENTS_DAYS, config.SOFT_BOUNCE_WINDOW_DAYS)),
      audit: daysAgo(config.RETENTION_AUDIT_DAYS),
      capRows: now - MAIL_WINDOW_MS,
      webhookDeliveries: daysAgo(config.RETENTION_WEBHOOK_DELIVERIES_DAYS),
    });
    const purged = Object.values(report.purged).reduce((a, b) => a + b, 0);
    if (purged) deps.logger.info('rows past their retention purged', report.purged);
  });
  await step(deps, 'console-sessions', async () => {
    await purgeConsoleSessions(deps);
  });
  await step(deps, 'health', async () => {
    for (const list of await allLists(deps.db)) await noteHealthStatus(deps, list, (await listStats(deps, list)).health);
  });
  return report;
}

/** Runs one named step of a periodic job; a failure is logged and the job goes on. */
export async function step(deps: Pick<Deps, 'logger'>, name: string, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (err) {
    deps.logger.error('scheduled step failed', { step: name, error: safeErrorText(err) });
  }
}
