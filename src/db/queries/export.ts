import { and, asc, desc, eq, gt, isNotNull, lte, notExists, sql } from 'drizzle-orm';
import type { Db } from '../types';
import type { ExportRow } from '../../domain/export-format';
import { changes, subscriptions, suppressions } from '../schema';

/**
 * Rows per keyset page of a streamed export. D1 (Workers) has no cursor and counts queries per
 * invocation (1,000 on Workers Paid, 50 on Free): pages of 5,000 keep a million rows at 200 queries
 * (README, "Export sizes on Workers").
 */
export const EXPORT_PAGE = 5000;

/**
 * The same on Node's own read-only connection (the server's export reader, the CLI's export): a
 * query on the local file is cheap and the memory is the server's own, so pages of 1,000 rows, as
 * the export floor writes. At 5,000 a 1,000,000-row export peaked about 55 MB higher (262 against
 * 207 MB, bench/RESULTS.md round 8) in the same time.
 */
export const LOCAL_EXPORT_PAGE = 1000;

/**
 * One keyset page of the export: confirmed subscribers of a list with a position in (`after`,
 * `until`], in confirmation order (index subscriptions_export). Suppressed, pending and unsubscribed
 * rows have other states, and a row whose mailbox is on the suppression list is never shown, whatever
 * its state says. Each page is its own short read: no transaction is held open while a client downloads.
 */
export async function exportPage(db: Db, listId: number, after: number, until: number, limit: number): Promise<ExportRow[]> {
  const rows = await db
    .select({
      seq: subscriptions.confirmSeq,
      id: subscriptions.publicId,
      email: subscriptions.email,
      name: subscriptions.name,
      confirmedAt: subscriptions.confirmedAt,
      unsubToken: subscriptions.unsubToken,
    })
    .from(subscriptions)
    .where(
      and(
        eq(subscriptions.listId, listId),
        eq(subscriptions.state, 'confirmed'),
        gt(subscriptions.confirmSeq, after),
        lte(subscriptions.confirmSeq, until),
        notExists(db.select({ one: sql`1` }).from(suppressions).where(eq(suppressions.hash, subscriptions.mailboxHash))),
      ),
    )
    .orderBy(asc(subscriptions.confirmSeq))
    .limit(limit)
    .all();
  return rows as ExportRow[];
}

/**
 * The highest confirmation position given out so far: a walk that begins now shows the rows up to
 * it. Positions come from the same counter as the changes feed (see confirmSignup).
 */
export async function positionCeiling(db: Db): Promise<number> {
  const [confirmed, feed] = await Promise.all([
    db.select({ seq: subscriptions.confirmSeq }).from(subscriptions).where(isNotNull(subscriptions.confirmSeq)).orderBy(desc(subscriptions.confirmSeq)).limit(1).get(),
    db.select({ seq: changes.seq }).from(changes).orderBy(desc(changes.seq)).limit(1).get(),
  ]);
  return Math.max(confirmed?.seq ?? 0, feed?.seq ?? 0);
}
