/**
 * The mailbox providers listgate knows by name: which domains are theirs, how they fold addresses
 * into one mailbox, and (for the "check your inbox" link) where their webmail is. One table, so the
 * per-mailbox rules (cap, "this wasn't me", suppression, erasure) and the inbox links never disagree.
 *
 * Folding rules, and where they are documented:
 * - Gmail ignores dots in the local part ("Dots don't matter in Gmail addresses",
 *   https://support.google.com/mail/answer/7436150), delivers `name+tag` to `name`, and
 *   googlemail.com is the same mailbox as gmail.com.
 * - Outlook.com (outlook, hotmail, live, msn), iCloud Mail, Proton Mail and Fastmail deliver
 *   `name+tag` to `name` (RFC 5233 subaddressing; the providers list in
 *   https://en.wikipedia.org/wiki/Email_address#Subaddressing, and for Microsoft
 *   https://learn.microsoft.com/exchange/recipients-in-exchange-online/plus-addressing-in-exchange-online).
 * - Yahoo uses a hyphen only for separately created disposable addresses, so nothing is folded there.
 */
export type ProviderId = 'gmail' | 'outlook' | 'yahoo' | 'icloud' | 'proton' | 'fastmail';

export type Provider = {
  id: ProviderId;
  name: string;
  domains: readonly string[];
  /** The local part's `+tag` reaches the same mailbox. */
  plusTags: boolean;
  /** Dots in the local part are ignored. */
  ignoresDots: boolean;
  /** The domain every alias domain folds into (googlemail.com -> gmail.com); otherwise kept. */
  canonicalDomain?: string;
};

export const PROVIDERS: readonly Provider[] = [
  { id: 'gmail', name: 'Gmail', domains: ['gmail.com', 'googlemail.com'], plusTags: true, ignoresDots: true, canonicalDomain: 'gmail.com' },
  {
    id: 'outlook',
    name: 'Outlook',
    domains: ['outlook.com', 'hotmail.com', 'live.com', 'msn.com', 'outlook.jp', 'hotmail.co.jp', 'live.jp', 'hotmail.co.uk', 'hotmail.fr', 'hotmail.de', 'hotmail.it', 'hotmail.es', 'outlook.fr', 'outlook.de', 'live.co.uk', 'live.fr'],
    plusTags: true,
    ignoresDots: false,
  },
  { id: 'yahoo', name: 'Yahoo Mail', domains: ['yahoo.com', 'yahoo.co.uk', 'yahoo.fr', 'yahoo.de', 'ymail.com', 'rocketmail.com'], plusTags: false, ignoresDots: false },
  { id: 'icloud', name: 'iCloud Mail', domains: ['icloud.com', 'me.com', 'mac.com'], plusTags: true, ignoresDots: false },
  { id: 'proton', name: 'Proton Mail', domains: ['proton.me', 'protonmail.com', 'protonmail.ch', 'pm.me'], plusTags: true, ignoresDots: false },
  { id: 'fastmail', name: 'Fastmail', domains: ['fastmail.com', 'fastmail.fm'], plusTags: true, ignoresDots: false },
];

const BY_DOMAIN = new Map(PROVIDERS.flatMap((p) => p.domains.map((d) => [d, p] as const)));

/** The provider of an ASCII (punycode), lower-case domain, if it is one we know. */
export const providerOf = (domain: string): Provider | undefined => BY_DOMAIN.get(domain);

/**
 * The mailbox an address key (local part lower-cased, domain ASCII) reaches: the provider's aliases
 * folded, so `J.Doe+news@googlemail.com` and `jdoe@gmail.com` are one mailbox. Unknown providers'
 * addresses are their own mailbox (a `+` may be a real part of the name there).
 */
export function mailboxOf(key: string): string {
  const at = key.lastIndexOf('@');
  let local = key.slice(0, at);
  const domain = key.slice(at + 1);
  const provider = providerOf(domain);
  if (!provider) return key;
  if (provider.plusTags) {
    const plus = local.indexOf('+');
    // `+tag` alone (nothing before the plus) is left as it is: it is not an alias of an empty name.
    if (plus > 0) local = local.slice(0, plus);
  }
  if (provider.ignoresDots) local = local.replace(/\./g, '') || local;
  return `${local}@${provider.canonicalDomain ?? domain}`;
}
