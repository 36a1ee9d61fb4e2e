/**
 * Random URL-safe identifiers and keyed hashes. Random bytes come from Web Crypto; the address
 * HMAC from node:crypto (Node, and Workers through nodejs_compat): it answers synchronously, where
 * Web Crypto's sign() goes through the thread pool and cost about 7 % of a signup's CPU.
 */
import { createHash, createHmac } from 'node:crypto';


export function randomToken(bytes = 24): string {
  return randomTokens(bytes)[0];
}

// Random bytes are drawn from the system a few kilobytes at a time and each handed out once: one
// getRandomValues() call per signup cost 2 % of its CPU (bench/RESULTS.md).
const pool = new Uint8Array(4096);
let poolAt = pool.length;

function randomBytes(n: number): Uint8Array {
  if (n > pool.length) return crypto.getRandomValues(new Uint8Array(n));
  if (poolAt + n > pool.length) {
    crypto.getRandomValues(pool);
    poolAt = 0;
  }
  const bytes = pool.subarray(poolAt, poolAt + n);
  poolAt += n;
  return bytes;
}

/** Several random tokens, each of `sizes[i]` random bytes, base64url. */
export function randomTokens(...sizes: number[]): string[] {
  return sizes.map((n) => base64url(randomBytes(n)));
}

// The base64url alphabet in ASCII order: a prefix written with it sorts as its number does.
const SORTED = '-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz';

/**
 * Random tokens (as randomTokens, same lengths and alphabet) that begin with the time `now` in
 * milliseconds: eight characters that sort in time order, then the random rest (`bytes` - 6 bytes).
 * An index on such tokens grows at its right edge instead of touching a random page per insert:
 * three of a signup's unique indexes (signup id, unsubscribe token, public id) cost a third of its
 * statements' time when random (bench/RESULTS.md). The time is no secret (when someone signed up).
 */
export function timeOrderedTokens(now: number, ...sizes: number[]): string[] {
  let prefix = '';
  for (let i = 7, t = Math.max(0, Math.floor(now)); i >= 0; i--, t = Math.floor(t / 64)) prefix = SORTED[t % 64] + prefix;
  return randomTokens(...sizes.map((n) => n - 6)).map((random) => prefix + random);
}

const encoder = new TextEncoder();

export function base64url(buf: Uint8Array): string {
  let s = '';
  for (const b of buf) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function hex(buf: ArrayBuffer | Uint8Array): string {
  return Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The installation's key for address hashes (opaque outside this module). */
export type HashKey = { readonly secret: Uint8Array };

export async function importHmacKey(secretHex: string): Promise<HashKey> {
  return { secret: new Uint8Array(secretHex.match(/../g)!.map((h) => parseInt(h, 16))) };
}

/** The address as it is kept after erasure and in the suppression list: HMAC-SHA-256, hex. */
export async function addressHash(key: HashKey, addressKey: string): Promise<string> {
  return addressHashNow(key, addressKey);
}

/** addressHash, synchronously (an import hashes a whole chunk at once). */
export function addressHashNow(key: HashKey, addressKey: string): string {
  return createHmac('sha256', key.secret).update(addressKey).digest('hex');
}

/** SHA-256 in hex, from node:crypto for the same reason (every keyed request and console page hashes its secret). */
export async function sha256Hex(text: string): Promise<string> {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * Constant-time comparison of two strings or byte arrays of any length: every byte of the longer
 * is touched, so timing reveals neither the length of the match nor where it ends.
 */
export function safeEqual(a: string | Uint8Array, b: string | Uint8Array): boolean {
  const ea = typeof a === 'string' ? encoder.encode(a) : a;
  const eb = typeof b === 'string' ? encoder.encode(b) : b;
  let diff = ea.length ^ eb.length;
  for (let i = 0; i < Math.max(ea.length, eb.length); i++) diff |= (ea[i] ?? 0) ^ (eb[i] ?? 0);
  return diff === 0;
}
