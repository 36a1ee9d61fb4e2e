import type { Deps } from '../deps';
import { allLists } from '../db/queries/lists';
import { purgeExpiredPending } from '../db/queries/subscriptions';
import { safeErrorText } from '../logger';
import { listStats, noteHealthStatus } from './stats';

export type MaintenanceReport = { purgedPending: number };

/**
 * Housekeeping both runtimes run on a timer (Node) or cron (Workers): pending signups whose token
 * expired are deleted, and each list's health is re-checked, so a status that changes only because
 * old events left the 30-day window is still noticed and logged. Each step runs even if an earlier
 * one failed; failures are logged, never thrown.
 */
export async function runMaintenance(deps: Deps): Promise<MaintenanceReport> {
  const report: MaintenanceReport = { purgedPending: 0 };
  await step(deps, 'purge-pending', async () => {
    report.purgedPending = await purgeExpiredPending(deps.db, deps.clock.now());
    if (report.purgedPending) deps.logger.info('expired pending signups deleted', { count: report.purgedPending });
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
