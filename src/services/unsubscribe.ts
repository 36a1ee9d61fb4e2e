import type { Deps } from '../deps';
import type { List, SubscriptionState } from '../db/types';
import { audit } from '../db/queries/audit';
import { findByUnsubToken, stateOn, unsubscribe } from '../db/queries/subscriptions';
import { mailboxHashes } from './mailbox';
import { ApiError } from '../errors';

const UNSUB_TOKEN = /^u_[A-Za-z0-9_-]{32}$/;

/** The opaque token of an unsubscribe link, or 400 when it cannot be one. */
export function unsubscribeToken(value: unknown): string {
  if (typeof value !== 'string' || !UNSUB_TOKEN.test(value)) throw new ApiError('invalid_token', 'This unsubscribe link is not valid.');
  return value;
}

/** The list an unsubscribe link belongs to (for its page), or 400 when no subscription has it. */
export async function unsubscribeLinkList(deps: Pick<Deps, 'db'>, token: unknown): Promise<number> {
  const row = await findByUnsubToken(deps.db, unsubscribeToken(token));
  if (!row) throw new ApiError('invalid_token', 'This unsubscribe link is not valid.');
  return row.listId;
}

/** The link in every export row and mailer's List-Unsubscribe header: leaves that one list at once. */
export async function unsubscribeByLink(deps: Pick<Deps, 'db' | 'atomic' | 'clock'>, token: unknown, source: 'one-click' | 'page'): Promise<{ listId: number }> {
  const unsubToken = unsubscribeToken(token);
  const [changed] = await unsubscribe(deps, { unsubToken }, deps.clock.now(), source);
  if (changed) return { listId: changed.listId };
  return { listId: await unsubscribeLinkList(deps, unsubToken) };
}

/** A mailer's report (POST /v1/events): one list, or every list when none is named. Answers how many changed. */
export async function unsubscribeAddress(deps: Pick<Deps, 'db' | 'atomic' | 'clock'>, key: string, listId: number | undefined, source: string): Promise<number> {
  return (await unsubscribe(deps, { key, listId }, deps.clock.now(), source)).length;
}

/**
 * An operator takes an address off a list. Answers the state it is in afterwards, or undefined when
 * it is not on the list; a change is audited under the keyed hash.
 */
export async function unsubscribeByOperator(deps: Pick<Deps, 'db' | 'atomic' | 'clock' | 'hashKey'>, list: List, key: string, actor: string): Promise<SubscriptionState | undefined> {
  const now = deps.clock.now();
  const changed = await unsubscribe(deps, { key, listId: list.id }, now, `operator:${actor}`);
  if (changed.length) {
    await audit(deps.db, { actor, action: 'subscriber.unsubscribe', target: (await mailboxHashes(deps, key)).mailboxHash, detail: { list: list.slug }, at: now });
    return 'unsubscribed';
  }
  return stateOn(deps.db, list.id, key);
}
