import type { Deps, Principal } from '../deps';
import type { ApiKeyRow, Scope } from '../db/types';
import { deleteAdminSessionsOfKey } from '../db/queries/console-sessions';
import { audit } from '../db/queries/audit';
import { allApiKeys, findActiveKeyByHash, findApiKey, insertApiKey, markKeyRevoked, markKeyUsed, unknownLists } from '../db/queries/keys';
import { randomToken, safeEqual, sha256Hex } from '../domain/ids';
import { isoTime } from '../domain/time';
import { invalidInput } from '../errors';

/** How many leading characters of a key are kept in clear to tell keys apart (`lg_` + 6). */
const PREFIX_LENGTH = 9;

type Ports = Pick<Deps, 'db' | 'clock'>;

/**
 * Creates a key and answers it with its secret, which exists only in this answer: the table keeps
 * the SHA-256 (what `authenticate` looks up) and a short visible prefix. Unknown lists are 422.
 */
export async function createKey(
  deps: Ports,
  input: { scopes: Scope[]; lists: string[] | null; name: string | null },
  actor: string,
): Promise<{ row: ApiKeyRow; key: string }> {
  const missing = await unknownLists(deps.db, input.lists ?? []);
  if (missing.length) throw invalidInput(missing.map((slug) => ({ field: 'lists', code: 'unknown_list', message: `no list "${slug}"` })));
  const now = deps.clock.now();
  const key = `lg_${randomToken(24)}`;
  const row = await insertApiKey(deps.db, {
    id: `key_${randomToken(12)}`,
    prefix: key.slice(0, PREFIX_LENGTH),
    hash: await sha256Hex(key),
    name: input.name,
    scopes: [...new Set(input.scopes)],
    lists: input.lists ? [...new Set(input.lists)] : null,
    createdAt: now,
  });
  await audit(deps.db, { actor, action: 'key.create', target: row.id, detail: { scopes: row.scopes, lists: row.lists }, at: now });
  return { row, key };
}

export const listKeys = (deps: Pick<Deps, 'db'>) => allApiKeys(deps.db);

/** Revokes a key and ends its console sessions; a key already revoked keeps its first revocation time. Undefined when unknown. */
export async function revokeKey(deps: Ports, id: string, actor: string): Promise<ApiKeyRow | undefined> {
  const now = deps.clock.now();
  const revoked = await markKeyRevoked(deps.db, id, now);
  if (!revoked) return findApiKey(deps.db, id);
  // Console sessions opened with the key end with it (each request checks the key as well).
  await deleteAdminSessionsOfKey(deps.db, id);
  await audit(deps.db, { actor, action: 'key.revoke', target: id, at: now });
  return revoked;
}

/**
 * Who presents this secret: ADMIN_TOKEN is a key with every scope on every list; other keys are
 * looked up by SHA-256, so the database never holds a usable key and lookup time does not depend on
 * how much of a key matches. Operators see when a key was last used (at most one write a minute).
 */
export async function authenticate(deps: Pick<Deps, 'db' | 'clock' | 'config'>, presented: string): Promise<Principal | undefined> {
  const admin = deps.config.ADMIN_TOKEN;
  if (admin && safeEqual(presented, admin)) return { id: 'ADMIN_TOKEN', scopes: ['admin'], lists: null };
  const row = await findActiveKeyByHash(deps.db, await sha256Hex(presented));
  if (!row) return undefined;
  const now = deps.clock.now();
  if (row.lastUsedAt === null || row.lastUsedAt <= now - 60_000) await markKeyUsed(deps.db, row.id, now);
  return { id: row.id, scopes: row.scopes, lists: row.lists ?? null };
}

/** A key as listed: everything but the secret and its hash. */
export function keyView(k: ApiKeyRow) {
  return {
    id: k.id,
    prefix: k.prefix,
    name: k.name,
    scopes: k.scopes,
    lists: k.lists ?? null,
    created_at: isoTime(k.createdAt),
    last_used_at: isoTime(k.lastUsedAt),
    revoked_at: isoTime(k.revokedAt),
  };
}
