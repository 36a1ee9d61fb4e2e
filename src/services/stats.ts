import type { Deps } from '../deps';
import type { List } from '../db/types';
import { type DailyTotals, dailyTotals, listOutboxCounts } from '../db/queries/stats';
import { getSetting, putSetting } from '../db/queries/settings';
import { computeHealth, type HealthReport } from '../domain/health';
import { DAY_MS } from '../domain/time';

export const STATS_WINDOW_DAYS = 30;

export type ListStats = {
  counts: { pending: number; confirmed: number; unsubscribed: number; suppressed: number };
  /** The 30 UTC days ending today (today included), as summed from list_daily. */
  window: { days: number; from: string; to: string };
  totals: DailyTotals;
  health: HealthReport;
  outbox: { queued: number; failed: number };
};

/** Counts from the trigger-kept counters and 30-day sums from list_daily: no scan of subscriptions. */
export async function listStats(deps: Pick<Deps, 'db' | 'clock'>, list: List): Promise<ListStats> {
  const today = Math.floor(deps.clock.now() / DAY_MS);
  const firstDay = today - (STATS_WINDOW_DAYS - 1);
  const totals = await dailyTotals(deps.db, list.id, firstDay);
  const outbox = await listOutboxCounts(deps.db, list.id, firstDay * DAY_MS);
  const health = computeHealth({
    signups30d: totals.signups,
    confirmed30d: totals.confirmations,
    delivered30d: totals.delivered,
    hardBounces30d: totals.hard_bounces,
    complaints30d: totals.complaints,
  });
  return {
    counts: { pending: list.countPending, confirmed: list.countConfirmed, unsubscribed: list.countUnsubscribed, suppressed: list.countSuppressed },
    window: { days: STATS_WINDOW_DAYS, from: new Date(firstDay * DAY_MS).toISOString().slice(0, 10), to: new Date(today * DAY_MS).toISOString().slice(0, 10) },
    totals,
    health,
    outbox,
  };
}

/**
 * Logs a warning when a list's health status differs from the last one seen. The last status is
 * kept in settings, so every process and isolate agrees and a restart does not warn again.
 * Called where health can change (delivery events) and where it is looked at (stats).
 */
export async function noteHealthStatus(deps: Pick<Deps, 'db' | 'logger'>, list: List, health: HealthReport): Promise<void> {
  const key = `health_status:${list.id}`;
  const previous = await getSetting(deps.db, key);
  if (previous === health.status) return;
  await putSetting(deps.db, key, health.status);
  // A list's first verdict is news only when it is bad.
  if (previous === undefined && (health.status === 'ok' || health.status === 'low_volume')) return;
  deps.logger.warn('list health status changed', {
    list: list.slug,
    from: previous ?? null,
    to: health.status,
    bounceRate: health.bounce.rate,
    complaintRate: health.complaint.rate,
    volume: health.volume,
  });
}

/** The stats an operator reads; reading them also notes the health status, so a change is logged once, when first seen. */
export async function readListStats(deps: Pick<Deps, 'db' | 'clock' | 'logger'>, list: List): Promise<ListStats> {
  const stats = await listStats(deps, list);
  await noteHealthStatus(deps, list, stats.health);
  return stats;
}
