import { eq, inArray, like, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../types';
import { addresses, subscriptions } from '../schema';

/**
 * Rows a statement may rewrite at once: D1 binds at most 100 parameters per statement, and each
 * row here takes three (id in the CASE, its value, id in the IN list).
 */
export const UPGRADE_CHUNK = 30;

/** Subscriptions stored before mailboxes were folded (migration 0005 left their hash empty). */
export async function subscriptionsWithoutMailbox(db: Db): Promise<Array<{ id: number; key: string }>> {
  return db.select({ id: subscriptions.id, key: subscriptions.key }).from(subscriptions).where(eq(subscriptions.mailboxHash, '')).limit(UPGRADE_CHUNK).all();
}

export async function setMailboxHashes(db: Db, rows: Array<{ id: number; hash: string }>): Promise<void> {
  if (!rows.length) return;
  const cases: SQL[] = rows.map((r) => sql`WHEN ${r.id} THEN ${r.hash}`);
  await db
    .update(subscriptions)
    .set({ mailboxHash: sql`CASE ${subscriptions.id} ${sql.join(cases, sql` `)} END` })
    .where(inArray(subscriptions.id, rows.map((r) => r.id)));
}

/** Mail-cap rows still keyed by the address in clear (before mailboxes were folded and hashed). */
export async function capRowsInClear(db: Db) {
  return db.select().from(addresses).where(like(addresses.key, '%@%')).limit(UPGRADE_CHUNK).all();
}

/** Re-keys one cap row by its mailbox hash (a row already there for the mailbox wins) and drops the clear one. */
export async function rekeyCapRow(db: Db, oldKey: string, hash: string): Promise<void> {
  const row = await db.select().from(addresses).where(eq(addresses.key, oldKey)).get();
  if (row) await db.insert(addresses).values({ ...row, key: hash }).onConflictDoNothing();
  await db.delete(addresses).where(eq(addresses.key, oldKey));
}
