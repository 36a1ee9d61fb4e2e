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
