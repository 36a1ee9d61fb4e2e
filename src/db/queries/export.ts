import { and, asc, eq, gt } from 'drizzle-orm';
import type { Db } from '../types';
import type { ExportRow } from '../../domain/export-format';
import { subscriptions } from '../schema';

/** Rows per keyset page when streaming: big enough to amortise a query, small enough to stay flat. */
export const EXPORT_PAGE = 5000;

/**
 * One keyset page of the export: confirmed subscribers of a list after `afterSeq` in confirmation
 * order (index subscriptions_export). Suppressed, pending and unsubscribed rows have other states.
 * Each page is its own short read, so no transaction is held open while a client downloads.
 */
export async function exportPage(db: Db, listId: number, afterSeq: number, limit: number): Promise<ExportRow[]> {
  const rows = await db
    .select({
      seq: subscriptions.confirmSeq,
      email: subscriptions.email,
      name: subscriptions.name,
      confirmedAt: subscriptions.confirmedAt,
      unsubToken: subscriptions.unsubToken,
    })
    .from(subscriptions)
    .where(and(eq(subscriptions.listId, listId), eq(subscriptions.state, 'confirmed'), gt(subscriptions.confirmSeq, afterSeq)))
    .orderBy(asc(subscriptions.confirmSeq))
    .limit(limit)
    .all();
  return rows as ExportRow[];
}
