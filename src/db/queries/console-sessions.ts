import { eq, lt, or, sql } from 'drizzle-orm';
import type { Db, Scope } from '../types';
import { preparedPerDb } from '../prepared';
import { adminSessions, apiKeys } from '../schema';

export type AdminSessionRow = typeof adminSessions.$inferSelect;

/** Read on every console request: the session with its key's current state (null when the key row is gone). */
const sessionQuery = preparedPerDb((db) =>
  db
    .select({ s: adminSessions, key: { scopes: apiKeys.scopes, lists: apiKeys.lists, revokedAt: apiKeys.revokedAt, lastUsedAt: apiKeys.lastUsedAt } })
    .from(adminSessions)
    .leftJoin(apiKeys, eq(apiKeys.id, adminSessions.keyId))
    .where(eq(adminSessions.id, sql.placeholder('id')))
    .prepare(),
);

export type SessionKeyState = { scopes: Scope[]; lists: string[] | null; revokedAt: number | null; lastUsedAt: number | null };

export async function findAdminSession(db: Db, id: string) {
  return (await sessionQuery(db).get({ id })) as { s: AdminSessionRow; key: SessionKeyState | null } | undefined;
}

export async function insertAdminSession(db: Db, row: AdminSessionRow): Promise<void> {
  await db.insert(adminSessions).values(row);
}

export async function touchAdminSession(db: Db, id: string, now: number): Promise<void> {
  await db.update(adminSessions).set({ lastSeenAt: now }).where(eq(adminSessions.id, id));
}

export async function deleteAdminSession(db: Db, id: string): Promise<void> {
  await db.delete(adminSessions).where(eq(adminSessions.id, id));
}

export async function deleteAdminSessionsOfKey(db: Db, keyId: string): Promise<void> {
  await db.delete(adminSessions).where(eq(adminSessions.keyId, keyId));
}

/** Sessions past their absolute end or idle since before `idleBefore`; answers how many went. */
export async function purgeAdminSessions(db: Db, now: number, idleBefore: number): Promise<number> {
  const gone = await db.delete(adminSessions).where(or(lt(adminSessions.expiresAt, now), lt(adminSessions.lastSeenAt, idleBefore))).returning({ id: adminSessions.id }).all();
  return gone.length;
}
