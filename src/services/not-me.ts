import type { Deps } from '../deps';
import { findBySignupId, emailOfMailbox } from '../db/queries/subscriptions';
import { suppressAddress } from '../db/queries/suppressions';
import { verifyLink } from './confirm';

/**
 * "This wasn't me": a bombing victim stops every further mail with one press. The token carries the
 * keyed hash of the mailbox, so the link works for its 30 days whether or not the signup it came with
 * still exists: the mailbox is suppressed on every list at once, every variant of it. (Tokens of
 * earlier versions name their signup, and the hash where they had one.) Answers the list slug the link came from.
 */
export async function notMe(deps: Deps, token: unknown): Promise<{ list: string }> {
  const claims = await verifyLink(deps, token, 'not_me');
  const hash = claims.address ?? (claims.signup ? (await findBySignupId(deps.db, claims.signup))?.mailboxHash : undefined);
  if (hash) {
    const email = (await emailOfMailbox(deps.db, hash)) ?? null;
    await suppressAddress(deps.atomic, { hash, email, reason: 'not_me', source: `not-me link (list ${claims.list})`, now: deps.clock.now() });
  }
  return { list: claims.list };
}
