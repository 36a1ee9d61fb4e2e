import type { Deps } from '../deps';
import { addressHash, addressHashNow } from '../domain/ids';
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

/** The keyed hashes of many address keys at once (an import's chunk). */
export function mailboxHashesMany(deps: Pick<Deps, 'hashKey'>, keys: string[]): MailboxHashes[] {
  return keys.map((key) => {
    const mailbox = mailboxOf(key);
    const mailboxHash = addressHashNow(deps.hashKey, mailbox);
    return { mailboxHash, legacyHash: mailbox === key ? mailboxHash : addressHashNow(deps.hashKey, key) };
  });
}
