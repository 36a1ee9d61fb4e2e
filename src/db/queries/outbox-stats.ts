import { eq, sql } from 'drizzle-orm';
import type { Db } from '../../deps';
import { outbox } from '../schema';

export type OutboxStats = {
  /** Waiting to be sent, including mails in a batch that is in flight or backing off. */
  queued: number;
  sent: number;
  /** Given up: rejected by the provider, suppressed before sending, or past the retry limits. */
  failed: number;
  /** Enqueue time of the oldest mail still waiting (ms epoch), null when none waits. */
  oldestQueuedAt: number | null;
};

/** Outbox counts, for one list or (without `listId`) the whole installation; one grouped scan. */
export async function outboxStats(db: Db, listId?: number): Promise<OutboxStats> {
  const waiting = sql`${outbox.state} IN ('queued', 'sending')`;
  const row = await db
    .select({
      queued: sql<number>`coalesce(sum(CASE WHEN ${waiting} THEN 1 ELSE 0 END), 0)`.mapWith(Number),
      sent: sql<number>`coalesce(sum(CASE WHEN ${outbox.state} = 'sent' THEN 1 ELSE 0 END), 0)`.mapWith(Number),
      failed: sql<number>`coalesce(sum(CASE WHEN ${outbox.state} = 'failed' THEN 1 ELSE 0 END), 0)`.mapWith(Number),
      oldestQueuedAt: sql<number | null>`min(CASE WHEN ${waiting} THEN ${outbox.createdAt} END)`,
    })
    .from(outbox)
    .where(listId === undefined ? undefined : eq(outbox.listId, listId))
    .get();
  return { queued: row?.queued ?? 0, sent: row?.sent ?? 0, failed: row?.failed ?? 0, oldestQueuedAt: row?.oldestQueuedAt ?? null };
}
