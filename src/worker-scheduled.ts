import type { Deps } from './deps';
import { safeErrorText } from './logger';
import { purgeExpiredPending } from './db/queries/subscriptions';
import { drainDue } from './mail/outbox';
import { purgeIdleBuckets } from './ratelimit/d1';

/**
 * Provider requests per cron run. Each is one subrequest (Workers allow 50 on the free plan,
 * 1000 on paid) carrying up to 100 mails; what is left waits for the next minute.
 */
export const MAX_REQUESTS_PER_RUN = 25;

/** Buckets idle this long are full again for every limit we configure, so deleting them is free. */
export const BUCKET_IDLE_MS = 24 * 3600_000;


export type ScheduledReport = { requests: number; sent: number; failed: number; purgedPending: number; purgedBuckets: number };

/**
 * The cron's work: send what the outbox holds (paced at MAIL_RATE_PER_SECOND), delete pending
 * signups whose token expired, and drop idle rate-limit buckets. Each step runs even if an
 * earlier one failed; failures are logged, never thrown past the handler.
 */
export async function runScheduled(deps: Deps): Promise<ScheduledReport> {
  const report: ScheduledReport = { requests: 0, sent: 0, failed: 0, purgedPending: 0, purgedBuckets: 0 };
  const step = async (name: string, work: () => Promise<void>) => {
    try {
      await work();
    } catch (err) {
      deps.logger.error('scheduled step failed', { step: name, error: safeErrorText(err) });
    }
  };

  await step('drain', async () => {
    Object.assign(report, await drainDue(deps, MAX_REQUESTS_PER_RUN, { spacingMs: 1000 / deps.config.MAIL_RATE_PER_SECOND }));
  });
  await step('purge-pending', async () => {
    report.purgedPending = await purgeExpiredPending(deps.db, deps.clock.now());
  });
  await step('purge-buckets', async () => {
    report.purgedBuckets = await purgeIdleBuckets(deps.db, deps.clock.now(), BUCKET_IDLE_MS);
  });
  deps.logger.info('scheduled run', report);
  return report;
}
