import { and, type AnyColumn, eq, gte, sql } from 'drizzle-orm';
import type { Deps } from '../../deps';
import { computeHealth, type HealthReport } from '../../domain/health';
import { listDaily, outbox, settings } from '../schema';
import type { List } from './lists';

const DAY_MS = 86_400_000;
export const STATS_WINDOW_DAYS = 30;

export type ListStats = {
  counts: { pending: number; confirmed: number; unsubscribed: number; suppressed: number };
  /** The 30 UTC days ending today (today included), as summed from list_daily. */
  window: { days: number; from: string; to: string };
  totals: { signups: number; confirmations: number; delivered: number; hard_bounces: number; soft_bounces: number; complaints: number };
  health: HealthReport;
  outbox: { queued: number; failed: number };
};

/** Counts from the trigger-kept counters and 30-day sums from list_daily: no scan of subscriptions. */
export async function listStats(deps: Deps, list: List): Promise<ListStats> {
  const today = Math.floor(deps.clock.now() / DAY_MS);
  const firstDay = today - (STATS_WINDOW_DAYS - 1);
  const sum = (col: AnyColumn) => sql<number>`coalesce(sum(${col}), 0)`.mapWith(Number);
  const daily = await deps.db
    .select({
      signups: sum(listDaily.signups),
      confirmations: sum(listDaily.confirmations),
      delivered: sum(listDaily.delivered),
      hard_bounces: sum(listDaily.hardBounces),
      soft_bounces: sum(listDaily.softBounces),
      complaints: sum(listDaily.complaints),
    })
    .from(listDaily)
    .where(and(eq(listDaily.listId, list.id), gte(listDaily.day, firstDay)))
    .get();
  const totals = daily ?? { signups: 0, confirmations: 0, delivered: 0, hard_bounces: 0, soft_bounces: 0, complaints: 0 };
  const mail = await deps.db
    .select({
      queued: sql<number>`coalesce(sum(${outbox.state} IN ('queued', 'sending')), 0)`.mapWith(Number),
      failed: sql<number>`coalesce(sum(${outbox.state} = 'failed'), 0)`.mapWith(Number),
    })
    .from(outbox)
    .where(and(eq(outbox.listId, list.id), gte(outbox.createdAt, firstDay * DAY_MS)))
    .get();
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
    outbox: { queued: mail?.queued ?? 0, failed: mail?.failed ?? 0 },
  };
}

/**
 * Logs a warning when a list's health status differs from the last one seen. The last status is
 * kept in settings, so every process and isolate agrees and a restart does not warn again.
 */
export async function noteHealthStatus(deps: Deps, list: List, health: HealthReport): Promise<void> {
  const key = `health_status:${list.id}`;
  const previous = (await deps.db.select({ value: settings.value }).from(settings).where(eq(settings.key, key)).get())?.value;
  if (previous === health.status) return;
  await deps.db.insert(settings).values({ key, value: health.status }).onConflictDoUpdate({ target: settings.key, set: { value: health.status } });
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
