import type { Deps } from '../deps';
import type { List } from '../db/types';
import emailAddresses from 'email-addresses';
import { parseAddress } from '../domain/address';
import { inboxLink, PROVIDERS, type ProviderId } from '../domain/providers';

// Parsing a sender is ~20 us and every signup's answer needs it: the few senders are remembered.
const senders = new Map<string, string>();

/** The address a list's mail comes from (its `from`, else MAIL_FROM), without the display name. */
export function senderAddress(deps: Pick<Deps, 'config'>, list: Pick<List, 'from'>): string {
  const from = list.from ?? deps.config.MAIL_FROM;
  let address = senders.get(from);
  if (address === undefined) {
    const parsed = emailAddresses.parseOneAddress(from);
    address = parsed && parsed.type === 'mailbox' ? parsed.address : from;
    if (senders.size >= 100) senders.clear();
    senders.set(from, address);
  }
  return address;
}

/**
 * The webmail link a signup's answer carries for the address's provider, when it is one we know:
 * the same for every state of the address (it depends on the address and the list only).
 */
export function inboxForSignup(
  deps: Pick<Deps, 'config'>,
  list: Pick<List, 'from'>,
  email: unknown,
  parsed?: { domain: string },
): { id: ProviderId; name: string; url: string } | undefined {
  const address = parsed ?? parseAddress(email);
  if ('ok' in address && !address.ok) return undefined;
  const { domain } = address as { domain: string };
  const provider = PROVIDERS.find((p) => p.domains.includes(domain));
  if (!provider) return undefined;
  const link = inboxLink(domain, senderAddress(deps, list));
  return link && provider ? { id: provider.id, ...link } : undefined;
}

/** The same link for the hosted "check your inbox" page, which knows only the provider (never the address). */
export function inboxForProvider(deps: Pick<Deps, 'config'>, list: Pick<List, 'from'>, id: string | undefined) {
  const provider = PROVIDERS.find((p) => p.id === id);
  return provider ? inboxLink(provider.domains[0], senderAddress(deps, list)) : undefined;
}
