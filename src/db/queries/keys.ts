import { and, asc, eq, inArray, isNull } from 'drizzle-orm';
import type { ApiKeyRow, Db } from '../types';
import { apiKeys, lists } from '../schema';

export async function insertApiKey(db: Db, row: typeof apiKeys.$inferInsert): Promise<ApiKeyRow> {
  return db.insert(apiKeys).values(row).returning().get();
}

export async function allApiKeys(db: Db): Promise<ApiKeyRow[]> {
  return db.select().from(apiKeys).orderBy(asc(apiKeys.createdAt), asc(apiKeys.id)).all();
}

export async function findApiKey(db: Db, id: string): Promise<ApiKeyRow | undefined> {
  return db.select().from(apiKeys).where(eq(apiKeys.id, id)).get();
}

/** A key that is not revoked, by the SHA-256 of its secret. */
export async function findActiveKeyByHash(db: Db, hash: string) {
  return db
    .select({ id: apiKeys.id, scopes: apiKeys.scopes, lists: apiKeys.lists, lastUsedAt: apiKeys.lastUsedAt })
    .from(apiKeys)
    .where(and(eq(apiKeys.hash, hash), isNull(apiKeys.revokedAt)))
    .get();
}

export async function markKeyRevoked(db: Db, id: string, now: number): Promise<ApiKeyRow | undefined> {
  return db.update(apiKeys).set({ revokedAt: now }).where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt))).returning().get();
}

export async function markKeyUsed(db: Db, id: string, now: number): Promise<void> {
  await db.update(apiKeys).set({ lastUsedAt: now }).where(eq(apiKeys.id, id));
}

/** The slugs among `slugs` that name no list. */
export async function unknownLists(db: Db, slugs: string[]): Promise<string[]> {
  if (slugs.length === 0) return [];
  const found = await db.select({ slug: lists.slug }).from(lists).where(inArray(lists.slug, slugs)).all();
  const known = new Set(found.map((r) => r.slug));
  return slugs.filter((s) => !known.has(s));
}
