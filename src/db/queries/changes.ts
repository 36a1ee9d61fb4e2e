import { and, asc, desc, eq, gt } from 'drizzle-orm';
import type { Db } from '../types';
import { changes } from '../schema';

/**
 * Events of a list after `after` in feed order. `seq` is an AUTOINCREMENT key given out by the one
 * SQLite writer inside the statement that changes the subscription, so a reader that sees seq N has
 * already been able to see every smaller seq: following `seq > after` never skips or repeats.
 */
export async function changesAfter(db: Db, listId: number, after: number, limit: number) {
  return db
    .select({ seq: changes.seq, type: changes.type, id: changes.publicId, email: changes.email, at: changes.at })
    .from(changes)
    .where(and(eq(changes.listId, listId), gt(changes.seq, after)))
    .orderBy(asc(changes.seq))
    .limit(limit)
    .all();
}

/** A list's latest events, newest first (the changes_list_seq index, read backwards). */
export async function latestChanges(db: Db, listId: number, limit: number) {
  return db
    .select({ seq: changes.seq, type: changes.type, id: changes.publicId, email: changes.email, at: changes.at })
    .from(changes)
    .where(eq(changes.listId, listId))
    .orderBy(desc(changes.seq))
    .limit(limit)
    .all();
}
