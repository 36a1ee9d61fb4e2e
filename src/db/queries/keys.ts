import { asc, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../deps';
import { randomToken, sha256Hex } from '../../domain/ids';
import { apiKeys, lists, type Scope } from '../schema';

export type ApiKeyRow = typeof apiKeys.$inferSelect;

/** How many leading characters of a key are kept in clear to tell keys apart (`lg_` + 6). */
const PREFIX_LENGTH = 9;

/**
 * Creates a key and answers it with its secret, which exists only in this answer: the table keeps
 * the SHA-256 (what requireKey looks up) and a short visible prefix.
 */
export async function createApiKey(
  db: Db,
  input: { scopes: Scope[]; lists: string[] | null; name: string | null; now: number },
): Promise<{ row: ApiKeyRow; key: string }> {
  const key = `lg_${randomToken(24)}`;
  const row = await db
    .insert(apiKeys)
    .values({
      id: `key_${randomToken(12)}`,
      prefix: key.slice(0, PREFIX_LENGTH),
      hash: await sha256Hex(key),
      name: input.name,
      scopes: [...new Set(input.scopes)],
      lists: input.lists ? [...new Set(input.lists)] : null,
      createdAt: input.now,
    })
    .returning()
    .get();
  return { row, key };
}

export async function allApiKeys(db: Db): Promise<ApiKeyRow[]> {
  return db.select().from(apiKeys).orderBy(asc(apiKeys.createdAt), asc(apiKeys.id)).all();
}

/** Revokes a key; a key already revoked keeps its first revocation time. Undefined when unknown. */
export async function revokeApiKey(db: Db, id: string, now: number): Promise<ApiKeyRow | undefined> {
  const existing = await db.select().from(apiKeys).where(eq(apiKeys.id, id)).get();
  if (!existing || existing.revokedAt !== null) return existing;
  return db.update(apiKeys).set({ revokedAt: now }).where(eq(apiKeys.id, id)).returning().get();
}

/** The slugs among `slugs` that name no list. */
export async function unknownLists(db: Db, slugs: string[]): Promise<string[]> {
  if (slugs.length === 0) return [];
  const found = await db.select({ slug: lists.slug }).from(lists).where(inArray(lists.slug, slugs)).all();
  const known = new Set(found.map((r) => r.slug));
  return slugs.filter((s) => !known.has(s));
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** A key as listed: everything but the secret and its hash. */
export function keyView(k: ApiKeyRow) {
  return {
    id: k.id,
    prefix: k.prefix,
    name: k.name,
    scopes: k.scopes,
    lists: k.lists ?? null,
    created_at: iso(k.createdAt),
    last_used_at: iso(k.lastUsedAt),
    revoked_at: iso(k.revokedAt),
  };
}
