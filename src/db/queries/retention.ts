import { and, eq, inArray, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import type { SQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core';
import type { Db } from '../types';
import { addresses, auditLog, deliveryEvents, outbox, outboxBatches, pushAttempts, pushDeliveries, webhookReceipts } from '../schema';

/** Rows one purge statement deletes: small enough that it never holds the writer for long. */
export const PURGE_CHUNK = 2000;

/** Deletes the rows `where` selects, a chunk per statement; answers how many went. */
async function purgeWhere(db: Db, table: SQLiteTable, id: SQLiteColumn, where: SQL | undefined): Promise<number> {
  let total = 0;
  for (;;) {
    const chunk = db.select({ id }).from(table).where(where).limit(PURGE_CHUNK);
    const gone = await db.delete(table).where(inArray(id, chunk)).returning({ id }).all();
    total += gone.length;
    if (gone.length < PURGE_CHUNK) return total;
  }
}

export type RetentionCutoffs = { sentMail: number; webhookReceipts: number; deliveryEvents: number; audit: number; capRows: number; webhookDeliveries: number };

/**
 * Purges what is kept only for a while (each cutoff is a time before which rows go): mail sent or
 * given up (it holds addresses and tokens) and finished provider batches, webhook receipts, delivery
 * events, audit entries, the per-mailbox cap rows whose newest mail left the cap's 24 hours, and
 * outbound webhook attempts and finished deliveries.
 */
export async function purgeExpired(db: Db, cutoff: RetentionCutoffs): Promise<Record<keyof RetentionCutoffs, number>> {
  return {
    sentMail:
      // next_attempt_at is never before created_at, and (with state) it is indexed.
      (await purgeWhere(db, outbox, outbox.id, and(inArray(outbox.state, ['sent', 'failed']), lt(outbox.nextAttemptAt, cutoff.sentMail)))) +
      (await purgeWhere(db, outboxBatches, outboxBatches.id, and(eq(outboxBatches.state, 'done'), lt(outboxBatches.createdAt, cutoff.sentMail)))),
    webhookReceipts: await purgeWhere(db, webhookReceipts, webhookReceipts.id, lt(webhookReceipts.receivedAt, cutoff.webhookReceipts)),
    deliveryEvents: await purgeWhere(db, deliveryEvents, deliveryEvents.id, lt(deliveryEvents.at, cutoff.deliveryEvents)),
    audit: await purgeWhere(db, auditLog, auditLog.id, lt(auditLog.at, cutoff.audit)),
    capRows: await purgeWhere(db, addresses, addresses.key, or(sql`${addresses.mail1At} IS NULL`, lte(addresses.mail1At, cutoff.capRows))),
    webhookDeliveries:
      (await purgeWhere(db, pushAttempts, pushAttempts.id, lt(pushAttempts.at, cutoff.webhookDeliveries))) +
      (await purgeWhere(db, pushDeliveries, pushDeliveries.id, and(inArray(pushDeliveries.state, ['delivered', 'failed']), lt(pushDeliveries.finishedAt, cutoff.webhookDeliveries)))),
  };
}
