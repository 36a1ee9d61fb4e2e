import type { Deps } from '../deps';
import { findBySignupId } from '../db/queries/subscriptions';
import { suppressAddress, suppressHash } from '../db/queries/suppressions';
import { addressHash } from '../domain/ids';
import { verifyLink } from './confirm';

/**
 * "This wasn't me": a bombing victim stops every further mail with one press. The token names the
 * signup, and carries the keyed hash of the address so the link still works after the unconfirmed
 * signup expired and was deleted. Answers the list slug the link came from.
 */
export async function notMe(deps: Deps, token: unknown): Promise<{ list: string }> {
  const claims = await verifyLink(deps, token, 'not_me');
  const row = await findBySignupId(deps.db, claims.signup);
  const source = `not-me link (list ${claims.list})`;
  const now = deps.clock.now();
  if (row) {
    await suppressAddress(deps.atomic, { key: row.key, email: row.email, hash: await addressHash(deps.hashKey, row.key), reason: 'not_me', source, now });
  } else if (claims.address) {
    await suppressHash(deps.db, { hash: claims.address, reason: 'not_me', source, now });
  }
  return { list: claims.list };
}
