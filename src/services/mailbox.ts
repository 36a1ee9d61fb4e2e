import type { Deps } from '../deps';
import { addressHash } from '../domain/ids';
import { mailboxOf } from '../domain/providers';

export type MailboxHashes = {
  /** Keyed hash of the mailbox (provider aliases folded): what suppression, erasure and the cap key on. */
  mailboxHash: string;
  /** Keyed hash of the address as typed: suppressions recorded before mailboxes were folded hold it. */
  legacyHash: string;
};

/** The keyed hashes of an address key; one HMAC when folding changes nothing (most addresses). */
export async function mailboxHashes(deps: Pick<Deps, 'hashKey'>, key: string): Promise<MailboxHashes> {
  const mailbox = mailboxOf(key);
  const mailboxHash = await addressHash(deps.hashKey, mailbox);
  return { mailboxHash, legacyHash: mailbox === key ? mailboxHash : await addressHash(deps.hashKey, key) };
}

/**
 * The keyed hashes of many address keys at once (an import's chunk): through the runtime's fast
 * synchronous HMAC where the entry provides one (Node), else Web Crypto, all in flight together.
 */
export async function mailboxHashesMany(deps: Pick<Deps, 'hashKey' | 'hashAddresses'>, keys: string[]): Promise<MailboxHashes[]> {
  const mailboxes = keys.map(mailboxOf);
  const texts = [...mailboxes, ...keys.filter((k, i) => mailboxes[i] !== k)];
  const hashes = deps.hashAddresses ? deps.hashAddresses(texts) : await Promise.all(texts.map((t) => addressHash(deps.hashKey, t)));
  let legacy = keys.length;
  return keys.map((k, i) => ({ mailboxHash: hashes[i], legacyHash: mailboxes[i] === k ? hashes[i] : hashes[legacy++] }));
}
