/** Random URL-safe identifiers and keyed hashes, on Web Crypto so both runtimes share them. */

export function randomToken(bytes = 24): string {
  return randomTokens(bytes)[0];
}

/** Several random tokens from one call into the system's random source (one per request, not one per token). */
export function randomTokens(...sizes: number[]): string[] {
  const buf = crypto.getRandomValues(new Uint8Array(sizes.reduce((a, b) => a + b, 0)));
  let at = 0;
  return sizes.map((n) => base64url(buf.subarray(at, (at += n))));
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

export async function importHmacKey(secretHex: string): Promise<CryptoKey> {
  const raw = new Uint8Array(secretHex.match(/../g)!.map((h) => parseInt(h, 16)));
  return crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
}

/** The address as it is kept after erasure and in the suppression list. */
export async function addressHash(key: CryptoKey, addressKey: string): Promise<string> {
  return hex(await crypto.subtle.sign('HMAC', key, encoder.encode(addressKey)));
}

export async function sha256Hex(text: string): Promise<string> {
  return hex(await crypto.subtle.digest('SHA-256', encoder.encode(text)));
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
