import type { Deps } from '../deps';
import type { Suppression } from '../db/types';
import { audit } from '../db/queries/audit';
import { eraseMailbox } from '../db/queries/erasure';
import { findSuppression, pageSuppressions, removeSuppression, suppressAddress } from '../db/queries/suppressions';
import { subscriptionsOf } from '../db/queries/subscriptions';
import { addressOnRecord } from '../domain/address';
import { isoTime } from '../domain/time';
import { ApiError, invalidInput } from '../errors';
import { mailboxHashes } from './mailbox';

type Ports = Pick<Deps, 'db' | 'atomic' | 'clock' | 'hashKey'>;

/**
 * An address someone names (an operator, a mailer): as stored (email, key) and its mailbox's keyed
 * hashes (what suppression and erasure act on); 422 when it is not an address.
 */
export async function namedAddress(deps: Pick<Deps, 'hashKey'>, text: string) {
  const address = addressOnRecord(text);
  if (!address) throw invalidInput([{ field: 'email', code: 'invalid', message: 'Enter a valid email address.' }]);
  const hashes = await mailboxHashes(deps, address.key);
  return { ...address, ...hashes, hashes: [hashes.mailboxHash, hashes.legacyHash] };
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
  const existing = await findSuppression(deps.db, a.hashes);
  await suppressAddress(deps.atomic, { hash: a.mailboxHash, email: a.email, reason: 'manual', source: `admin:${actor}`, now });
  // Audit rows name the hash, never the address: they must survive an erasure without holding it.
  await audit(deps.db, { actor, action: 'suppression.add', target: a.mailboxHash, detail: { reason: 'manual', existing: existing?.reason ?? null }, at: now });
  return { row: (await findSuppression(deps.db, a.hashes))!, existed: !!existing };
}

/**
 * Lifts a suppression. The person asked not to get mail (complaint) or to be forgotten (erased):
 * lifting those takes `force`. Subscriptions stay `suppressed` until a new signup and confirmation.
 */
export async function liftSuppression(deps: Ports, email: string, force: boolean, actor: string): Promise<void> {
  const a = await namedAddress(deps, email);
  const row = await findSuppression(deps.db, a.hashes);
  if (!row) throw new ApiError('not_found', 'This address is not suppressed.');
  if ((row.reason === 'complaint' || row.reason === 'erased') && !force) {
    throw new ApiError('conflict', `This suppression comes from a ${row.reason === 'complaint' ? 'spam complaint' : 'erasure'}; add ?force=true to remove it anyway.`);
  }
  await removeSuppression(deps.db, a.hashes);
  await audit(deps.db, { actor, action: 'suppression.remove', target: a.mailboxHash, detail: { reason: row.reason, force }, at: deps.clock.now() });
}

/**
 * Erasure: personal data removed from every list, the address kept only as a keyed hash so it is
 * never mailed again. Answers how many lists held it (0 for an address on none: still suppressed).
 */
export async function erase(deps: Ports, email: string, actor: string): Promise<{ lists: number }> {
  const a = await namedAddress(deps, email);
  const now = deps.clock.now();
  const lists = new Set((await subscriptionsOf(deps.db, a.mailboxHash)).map((r) => r.list)).size;
  await eraseMailbox(deps.atomic, { mailboxHash: a.mailboxHash, legacyHash: a.legacyHash, now });
  await audit(deps.db, { actor, action: 'subscriber.erase', target: a.mailboxHash, detail: { lists }, at: now });
  return { lists };
}
