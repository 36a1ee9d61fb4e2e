import type { Deps } from '../deps';
import type { Suppression } from '../db/types';
import { audit } from '../db/queries/audit';
import { eraseAddress } from '../db/queries/erasure';
import { findSuppression, pageSuppressions, removeSuppression, suppressAddress } from '../db/queries/suppressions';
import { subscriptionsOf } from '../db/queries/subscriptions';
import { addressOnRecord } from '../domain/address';
import { addressHash } from '../domain/ids';
import { isoTime } from '../domain/time';
import { ApiError, invalidInput } from '../errors';

type Ports = Pick<Deps, 'db' | 'atomic' | 'clock' | 'hashKey'>;

/** An address an operator names, as stored (key) and as kept after erasure (hash); 422 when it is not an address. */
export async function namedAddress(deps: Pick<Deps, 'hashKey'>, text: string) {
  const address = addressOnRecord(text);
  if (!address) throw invalidInput([{ field: 'email', code: 'invalid', message: 'Enter a valid email address.' }]);
  return { ...address, hash: await addressHash(deps.hashKey, address.key) };
}

export const suppressionView = (s: Suppression) => ({ email: s.email, hash: s.hash, reason: s.reason, source: s.source, created_at: isoTime(s.createdAt) });

/** Newest first, `limit` a page; `cursor` is the `next_cursor` of the page before. */
export async function suppressionPage(deps: Pick<Deps, 'db'>, limit: number, cursor?: string) {
  const [at, hash] = cursor?.split('.') ?? [];
  const rows = await pageSuppressions(deps.db, limit + 1, cursor ? { createdAt: Number(at), hash } : undefined);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { data: page.map(suppressionView), next_cursor: rows.length > limit ? `${last.createdAt}.${last.hash}` : null };
}

/** An operator suppresses an address everywhere. Answers the row and whether it already existed. */
export async function addSuppression(deps: Ports, email: string, actor: string): Promise<{ row: Suppression; existed: boolean }> {
  const a = await namedAddress(deps, email);
  const now = deps.clock.now();
  const existing = await findSuppression(deps.db, a.hash);
  await suppressAddress(deps.atomic, { key: a.key, email: a.email, hash: a.hash, reason: 'manual', source: `admin:${actor}`, now });
  // Audit rows name the hash, never the address: they must survive an erasure without holding it.
  await audit(deps.db, { actor, action: 'suppression.add', target: a.hash, detail: { reason: 'manual', existing: existing?.reason ?? null }, at: now });
  return { row: (await findSuppression(deps.db, a.hash))!, existed: !!existing };
}

/**
 * Lifts a suppression. The person asked not to get mail (complaint) or to be forgotten (erased):
 * lifting those takes `force`. Subscriptions stay `suppressed` until a new signup and confirmation.
 */
export async function liftSuppression(deps: Ports, email: string, force: boolean, actor: string): Promise<void> {
  const a = await namedAddress(deps, email);
  const row = await findSuppression(deps.db, a.hash);
  if (!row) throw new ApiError('not_found', 'This address is not suppressed.');
  if ((row.reason === 'complaint' || row.reason === 'erased') && !force) {
    throw new ApiError('conflict', `This suppression comes from a ${row.reason === 'complaint' ? 'spam complaint' : 'erasure'}; add ?force=true to remove it anyway.`);
  }
  await removeSuppression(deps.db, a.hash);
  await audit(deps.db, { actor, action: 'suppression.remove', target: a.hash, detail: { reason: row.reason, force }, at: deps.clock.now() });
}

/**
 * Erasure: personal data removed from every list, the address kept only as a keyed hash so it is
 * never mailed again. Answers how many lists held it (0 for an address on none: still suppressed).
 */
export async function erase(deps: Ports, email: string, actor: string): Promise<{ lists: number }> {
  const a = await namedAddress(deps, email);
  const now = deps.clock.now();
  const lists = (await subscriptionsOf(deps.db, a.key)).length;
  await eraseAddress(deps.atomic, { key: a.key, hash: a.hash, now });
  await audit(deps.db, { actor, action: 'subscriber.erase', target: a.hash, detail: { lists }, at: now });
  return { lists };
}
