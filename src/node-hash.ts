import { createHmac } from 'node:crypto';
import type { Db } from './deps';
import { addressHashSecret } from './services/installation';

/**
 * Node's port for `Deps.hashAddresses`: HMAC-SHA256 with the installation's address hash key, hex,
 * exactly what `addressHash` computes with Web Crypto, without a promise per address.
 */
export async function nodeAddressHasher(db: Db): Promise<(texts: string[]) => string[]> {
  const key = Buffer.from(await addressHashSecret(db), 'hex');
  return (texts) => texts.map((t) => createHmac('sha256', key).update(t, 'utf8').digest('hex'));
}
