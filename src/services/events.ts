import type { Deps, Principal } from '../deps';
import { findList } from '../db/queries/lists';
import { mailboxOnList } from '../db/queries/subscriptions';
import { ApiError, invalidInput } from '../errors';
import { recordDeliveryEvents } from './delivery';
import { namedAddress } from './suppressions';
import { unsubscribeAddress } from './unsubscribe';

/** What a mailer on any other provider reports (POST /v1/events). */
export type MailerEvent =
  | { type: 'bounce'; email: string; bounce_type: 'permanent' | 'transient'; list?: string }
  | { type: 'complaint' | 'unsubscribe'; email: string; list?: string };

/**
 * Applies a mailer's report with the same effects as a provider's webhook. A key limited to lists
 * must name one of them (422 otherwise) and may speak only of addresses on it (404 otherwise,
 * nothing changed): a complaint suppresses the mailbox everywhere, so it must be its own to report.
 */
export async function reportMailerEvent(deps: Deps, principal: Principal, input: MailerEvent): Promise<{ subscriptions?: number }> {
  const address = await namedAddress(deps, input.email);
  let listId: number | undefined;
  if (input.list !== undefined) {
    if (principal.lists && !principal.lists.includes(input.list)) throw new ApiError('forbidden', 'The key is not allowed on this list.');
    const list = await findList(deps.db, input.list);
    if (!list) throw new ApiError('not_found', 'There is no list with this name.');
    listId = list.id;
    if (principal.lists && !(await mailboxOnList(deps.db, list.id, address.mailboxHash))) {
      throw new ApiError('not_found', 'This address is not on this list.');
    }
  } else if (principal.lists) {
    throw invalidInput([{ field: 'list', code: 'required', message: 'A key limited to lists must name the list.' }]);
  }
  const source = `api:${principal.id}`;
  if (input.type === 'unsubscribe') return { subscriptions: await unsubscribeAddress(deps, address.key, listId, source) };
  await recordDeliveryEvents(
    deps,
    [{ type: input.type, email: input.email, at: deps.clock.now(), bounceType: input.type === 'bounce' ? input.bounce_type : undefined, list: input.list }],
    { source },
  );
  return {};
}
