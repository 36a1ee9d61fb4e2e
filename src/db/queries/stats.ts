import { and, type AnyColumn, eq, gte, sql } from 'drizzle-orm';
import type { Db } from '../types';
import { funnelDaily, listDaily, outbox } from '../schema';

export type DailyTotals = { signups: number; confirmations: number; delivered: number; hard_bounces: number; soft_bounces: number; complaints: number };

/** Sums of a list's daily rows from `firstDay` (UTC day number) on: O(days), never a scan of subscriptions. */
export async function dailyTotals(db: Db, listId: number, firstDay: number): Promise<DailyTotals> {
  const sum = (col: AnyColumn) => sql<number>`coalesce(sum(${col}), 0)`.mapWith(Number);
  const row = await db
    .select({
      signups: sum(listDaily.signups),
      confirmations: sum(listDaily.confirmations),
      delivered: sum(listDaily.delivered),
      hard_bounces: sum(listDaily.hardBounces),
      soft_bounces: sum(listDaily.softBounces),
      complaints: sum(listDaily.complaints),
    })
    .from(listDaily)
    .where(and(eq(listDaily.listId, listId), gte(listDaily.day, firstDay)))
    .get();
  return row ?? { signups: 0, confirmations: 0, delivered: 0, hard_bounces: 0, soft_bounces: 0, complaints: 0 };
}

/** A list's mail enqueued since `since`: still waiting, and given up. */
export async function listOutboxCounts(db: Db, listId: number, since: number): Promise<{ queued: number; failed: number }> {
  const row = await db
    .select({
      queued: sql<number>`coalesce(sum(${outbox.state} IN ('queued', 'sending')), 0)`.mapWith(Number),
      failed: sql<number>`coalesce(sum(${outbox.state} = 'failed'), 0)`.mapWith(Number),
    })
    .from(outbox)
    .where(and(eq(outbox.listId, listId), gte(outbox.createdAt, since)))
    .get();
  return { queued: row?.queued ?? 0, failed: row?.failed ?? 0 };
}

/** A list's funnel rows (cohort day x provider) from `firstDay` on, summed by provider. */
export async function funnelByProvider(db: Db, listId: number, firstDay: number) {
  const sum = (col: AnyColumn) => sql<number>`coalesce(sum(${col}), 0)`.mapWith(Number);
  return db
    .select({
      provider: funnelDaily.provider,
      signups: sum(funnelDaily.signups),
      mailsSent: sum(funnelDaily.mailsSent),
      confirmed: sum(funnelDaily.confirmed),
      t0: sum(funnelDaily.t0),
      t1: sum(funnelDaily.t1),
      t2: sum(funnelDaily.t2),
      t3: sum(funnelDaily.t3),
      t4: sum(funnelDaily.t4),
      t5: sum(funnelDaily.t5),
      t6: sum(funnelDaily.t6),
      t7: sum(funnelDaily.t7),
      t8: sum(funnelDaily.t8),
      t9: sum(funnelDaily.t9),
      t10: sum(funnelDaily.t10),
      t11: sum(funnelDaily.t11),
    })
    .from(funnelDaily)
    .where(and(eq(funnelDaily.listId, listId), gte(funnelDaily.day, firstDay)))
    .groupBy(funnelDaily.provider)
    .all();
}

/** A list's daily rows from `firstDay` on (days without activity have no row). */
export async function dailyRows(db: Db, listId: number, firstDay: number) {
  return db
    .select({
      day: listDaily.day,
      signups: listDaily.signups,
      confirmed: listDaily.confirmations,
      unsubscribed: listDaily.unsubscriptions,
      hardBounces: listDaily.hardBounces,
      softBounces: listDaily.softBounces,
      complained: listDaily.complaints,
    })
    .from(listDaily)
    .where(and(eq(listDaily.listId, listId), gte(listDaily.day, firstDay)))
    .orderBy(listDaily.day)
    .all();
}
