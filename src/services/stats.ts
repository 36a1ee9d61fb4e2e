import type { Deps } from '../deps';
import type { List } from '../db/types';
import { type DailyTotals, dailyRows, dailyTotals, funnelByProvider, listOutboxCounts } from '../db/queries/stats';
import { getSetting, putSetting } from '../db/queries/settings';
import { CONFIRM_TIME_EDGES, FUNNEL_PROVIDERS, type FunnelProvider, funnelProviderOf, medianFromBuckets, rate } from '../domain/funnel';
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

export type ProviderFunnel = { signups: number; confirmed: number; confirmation_rate: number | null };
export type Funnel = {
  days: number;
  signups: number;
  mails_sent: number;
  confirmed: number;
  confirmation_rate: number | null;
  median_seconds_to_confirm: number | null;
  by_provider: Record<FunnelProvider, ProviderFunnel>;
};

/**
 * The confirmation funnel of the signups made in the last `days` UTC days (today included), by
 * cohort: how many got their mail, how many confirmed and how fast (median from buckets), and the
 * same by mailbox provider. Read from trigger-kept rows: O(days) whatever the list size.
 */
export async function listFunnel(deps: Pick<Deps, 'db' | 'clock'>, list: List, days: number): Promise<Funnel> {
  const firstDay = Math.floor(deps.clock.now() / DAY_MS) - (days - 1);
  const rows = await funnelByProvider(deps.db, list.id, firstDay);
  const byProvider = Object.fromEntries(FUNNEL_PROVIDERS.map((p) => [p, { signups: 0, confirmed: 0, confirmation_rate: null }])) as Record<FunnelProvider, ProviderFunnel>;
  const buckets = CONFIRM_TIME_EDGES.map(() => 0).concat(0);
  let signups = 0;
  let mailsSent = 0;
  let confirmed = 0;
  for (const r of rows) {
    const p = byProvider[funnelProviderOf(r.provider)];
    p.signups += r.signups;
    p.confirmed += r.confirmed;
    signups += r.signups;
    mailsSent += r.mailsSent;
    confirmed += r.confirmed;
    [r.t0, r.t1, r.t2, r.t3, r.t4, r.t5, r.t6, r.t7, r.t8, r.t9, r.t10, r.t11].forEach((n, i) => (buckets[i] += n));
  }
  for (const p of Object.values(byProvider)) p.confirmation_rate = rate(p.confirmed, p.signups);
  return {
    days,
    signups,
    mails_sent: mailsSent,
    confirmed,
    confirmation_rate: rate(confirmed, signups),
    median_seconds_to_confirm: medianFromBuckets(buckets),
    by_provider: byProvider,
  };
}

export type DailyRow = { date: string; signups: number; confirmed: number; unsubscribed: number; bounced: number; complained: number };

/** One row per UTC day of the last `days` (today included), oldest first, days without activity as zeros. */
export async function listDailyStats(deps: Pick<Deps, 'db' | 'clock'>, list: List, days: number): Promise<DailyRow[]> {
  const today = Math.floor(deps.clock.now() / DAY_MS);
  const firstDay = today - (days - 1);
  const byDay = new Map((await dailyRows(deps.db, list.id, firstDay)).map((r) => [r.day, r]));
  return Array.from({ length: days }, (_, i) => {
    const day = firstDay + i;
    const r = byDay.get(day);
    return {
      date: new Date(day * DAY_MS).toISOString().slice(0, 10),
      signups: r?.signups ?? 0,
      confirmed: r?.confirmed ?? 0,
      unsubscribed: r?.unsubscribed ?? 0,
      bounced: (r?.hardBounces ?? 0) + (r?.softBounces ?? 0),
      complained: r?.complained ?? 0,
    };
  });
}
