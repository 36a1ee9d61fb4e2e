import type { Deps } from '../deps';
import { findBySignupId } from '../db/queries/subscriptions';
import { suppressAddress } from '../db/queries/suppressions';
import { verifyLink } from './confirm';

/**
 * "This wasn't me": a bombing victim stops every further mail with one press. The token names the
 * signup and carries the keyed hash of the mailbox, so the link works for its 30 days whether or not
 * the signup still exists: the mailbox is suppressed on every list at once, every variant of it.
 * Answers the list slug the link came from.
 */
export async function notMe(deps: Deps, token: unknown): Promise<{ list: string }> {
  const claims = await verifyLink(deps, token, 'not_me');
  const row = await findBySignupId(deps.db, claims.signup);
  const hash = row?.mailboxHash ?? claims.address;
  if (hash) {
    await suppressAddress(deps.atomic, { hash, email: row?.email ?? null, reason: 'not_me', source: `not-me link (list ${claims.list})`, now: deps.clock.now() });
  }
  return { list: claims.list };
}
