import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../deps';
import { lists, subscriptions, suppressions } from '../schema';

/** Every subscription of one address (by its case-folded key), with the list it is on. */
export async function subscriptionsOf(db: Db, key: string) {
  return db
    .select({ list: lists.slug, listName: lists.name, s: subscriptions })
    .from(subscriptions)
    .innerJoin(lists, eq(lists.id, subscriptions.listId))
    .where(eq(subscriptions.key, key))
    .orderBy(asc(lists.slug))
    .all();
}

export async function suppressionOf(db: Db, hash: string) {
  return db.select().from(suppressions).where(eq(suppressions.hash, hash)).get();
}

/**
 * An operator takes an address off a list. Only pending and confirmed rows change, so repeating it
 * is harmless; answers the state the subscription is in afterwards, or undefined when it is not on the list.
 */
export async function unsubscribeByOperator(db: Db, listId: number, key: string, now: number, source: string) {
  const changed = await db
    .update(subscriptions)
    .set({ state: 'unsubscribed', unsubscribedAt: now, updatedAt: now, unsubscribeSource: source, expiresAt: null })
    .where(and(eq(subscriptions.listId, listId), eq(subscriptions.key, key), inArray(subscriptions.state, ['pending', 'confirmed'])))
    .returning({ state: subscriptions.state })
    .get();
  if (changed) return { state: changed.state, changed: true };
  const row = await db
    .select({ state: subscriptions.state })
    .from(subscriptions)
    .where(and(eq(subscriptions.listId, listId), eq(subscriptions.key, key)))
    .get();
  return row ? { state: row.state, changed: false } : undefined;
}
