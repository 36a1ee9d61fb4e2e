import type { Deps, Principal } from '../deps';
import { audit } from '../db/queries/audit';
import { deliveryEventsOf } from '../db/queries/delivery';
import { findSuppression } from '../db/queries/suppressions';
import { subscriptionsOf } from '../db/queries/subscriptions';
import { isoTime } from '../domain/time';
import { ApiError } from '../errors';
import { namedAddress } from './suppressions';

/**
 * "Why did I get this?": the address on every list, with its state, times and consent evidence,
 * and its suppression. 404 when nothing is known of it. The lookup is audited under the keyed hash.
 */
export async function lookupSubscriber(deps: Pick<Deps, 'db' | 'clock' | 'hashKey'>, email: string, principal: Principal) {
  const named = await namedAddress(deps, email);
  const { key, mailboxHash, hashes } = named;
  const [all, suppression] = await Promise.all([subscriptionsOf(deps.db, mailboxHash), findSuppression(deps.db, hashes)]);
  // A key limited to lists sees only its lists.
  const rows = principal.lists ? all.filter((r) => principal.lists!.includes(r.list)) : all;
  if (rows.length === 0 && (!suppression || principal.lists)) throw new ApiError('not_found', 'This address is on no list.');
  await audit(deps.db, { actor: principal.id, action: 'subscriber.lookup', target: mailboxHash, at: deps.clock.now() });
  return {
    email: rows.find((r) => r.s.key === key)?.s.email ?? named.email,
    suppression: suppression ? { reason: suppression.reason, source: suppression.source, created_at: isoTime(suppression.createdAt) } : null,
    subscriptions: rows.map(({ list, listName, s, consentText, imported }) => ({
      id: s.publicId,
      list,
      list_name: listName,
      email: s.email,
      name: s.name,
      state: s.state,
      created_at: isoTime(s.createdAt),
      updated_at: isoTime(s.updatedAt),
      confirmed_at: isoTime(s.confirmedAt),
      unsubscribed_at: isoTime(s.unsubscribedAt),
      suppressed_at: isoTime(s.suppressedAt),
      signup: { ip: s.signupIp, user_agent: s.signupUserAgent, source: s.signupSource, consent_text: consentText ?? null },
      confirmation: s.confirmedAt === null ? null : { ip: s.confirmIp, user_agent: s.confirmUserAgent },
      unsubscribe: s.unsubscribedAt === null ? null : { source: s.unsubscribeSource },
      // An imported row's evidence: how consent was collected (the import's consent_source) and the opt-in time its file gave.
      import:
        imported?.id == null
          ? null
          : { id: imported.id, mode: imported.mode, consent_source: imported.consentSource, opt_in_at: isoTime(s.optInAt) },
    })),
  };
}

/**
 * "Why did they get mail?", the other half: the delivery events kept for the address (deliveries,
 * bounces, complaints; kept RETENTION_DELIVERY_EVENTS_DAYS), newest first. A key limited to lists
 * sees only its lists' events.
 */
export async function deliveryHistory(deps: Pick<Deps, 'db' | 'hashKey'>, email: string, principal: Principal, limit = 50) {
  const { hashes } = await namedAddress(deps, email);
  const rows = await deliveryEventsOf(deps.db, [...new Set(hashes)], limit);
  return principal.lists ? rows.filter((r) => r.list !== null && principal.lists!.includes(r.list)) : rows;
}
