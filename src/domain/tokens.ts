import { SignJWT, decodeProtectedHeader, errors, jwtVerify } from 'jose';

export type TokenPurpose = 'confirm' | 'not_me';

export type TokenClaims = {
  /** The signup the token was issued for (subscriptions.signup_id). */
  signup: string;
  list: string;
  purpose: TokenPurpose;
  /**
   * not_me tokens: the keyed hash of the address (as in the suppression list), so the link still
   * suppresses after the unconfirmed signup it names was deleted. A hash, never the address.
   */
  address?: string;
};

export type VerifyResult =
  | { ok: true; claims: TokenClaims; expiresAt: number }
  | { ok: false; reason: 'malformed' | 'invalid' | 'expired' };

export interface Tokens {
  sign(claims: TokenClaims, ttlSeconds: number): Promise<string>;
  verify(token: string, purpose: TokenPurpose): Promise<VerifyResult>;
}

const ISSUER = 'listgate';
const AUDIENCE = 'listgate:subscriber';
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** kid = first 16 hex chars of SHA-256 of the key, so the key itself never leaves the process. */
async function keyId(key: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', key as Uint8Array<ArrayBuffer>));
  return Array.from(digest.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * HS256 tokens with a `kid` header. `previous` still verifies (key rotation) but never signs.
 * Algorithms are pinned to HS256, so `none` and RS/HS confusion are refused.
 */
export async function createTokens(opts: { secret: string; previous?: string; now: () => number }): Promise<Tokens> {
  const enc = new TextEncoder();
  // Imported once: handed raw bytes, jose would import the key again on every sign and verify
  // (bench/RESULTS.md: a third of the signing cost).
  const hmacKey = (raw: Uint8Array) =>
    crypto.subtle.importKey('raw', raw as Uint8Array<ArrayBuffer>, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
  const secret = enc.encode(opts.secret);
  const current = { key: await hmacKey(secret), kid: await keyId(secret) };
  const keys = new Map<string, CryptoKey>([[current.kid, current.key]]);
  if (opts.previous) {
    const prev = enc.encode(opts.previous);
    keys.set(await keyId(prev), await hmacKey(prev));
  }

  return {
    async sign(claims, ttlSeconds) {
      const iat = Math.floor(opts.now() / 1000);
      return new SignJWT({ list: claims.list, purpose: claims.purpose, ...(claims.address ? { adr: claims.address } : {}) })
        .setProtectedHeader({ alg: 'HS256', kid: current.kid, typ: 'JWT' })
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setSubject(claims.signup)
        .setIssuedAt(iat)
        .setExpirationTime(iat + Math.max(1, Math.round(ttlSeconds)))
        .sign(current.key);
    },

    async verify(token, purpose) {
      if (typeof token !== 'string' || token.length > 2048 || !JWT_SHAPE.test(token)) return { ok: false, reason: 'malformed' };
      let kid: string | undefined;
      try {
        const header = decodeProtectedHeader(token);
        if (header.alg !== 'HS256') return { ok: false, reason: 'invalid' };
        kid = header.kid;
      } catch {
        return { ok: false, reason: 'malformed' };
      }
      const key = kid ? keys.get(kid) : undefined;
      if (!key) return { ok: false, reason: 'invalid' };
      try {
        const { payload } = await jwtVerify(token, key, {
          algorithms: ['HS256'],
          issuer: ISSUER,
          audience: AUDIENCE,
          currentDate: new Date(opts.now()),
          clockTolerance: 0,
          requiredClaims: ['exp', 'sub'],
        });
        if (payload.purpose !== purpose || typeof payload.list !== 'string' || typeof payload.sub !== 'string') {
          return { ok: false, reason: 'invalid' };
        }
        return {
          ok: true,
          claims: { signup: payload.sub, list: payload.list, purpose, ...(typeof payload.adr === 'string' ? { address: payload.adr } : {}) },
          expiresAt: (payload.exp as number) * 1000,
        };
      } catch (err) {
        // Only a token whose signature checked out can be "expired"; jose verifies the signature first.
        if (err instanceof errors.JWTExpired) return { ok: false, reason: 'expired' };
        if (err instanceof errors.JWSInvalid || err instanceof errors.JWTInvalid) return { ok: false, reason: 'malformed' };
        return { ok: false, reason: 'invalid' };
      }
    },
  };
}
