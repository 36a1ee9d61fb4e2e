import { createHmac } from 'node:crypto';
import { UnsecuredJWT, base64url as b64url, decodeProtectedHeader, errors, type JWTPayload } from 'jose';
import { base64url, hex, safeEqual } from './ids';

export type TokenPurpose = 'confirm' | 'not_me';

export type TokenClaims = {
  /** confirm tokens: the signup the token was issued for (subscriptions.signup_id). */
  signup?: string;
  list: string;
  purpose: TokenPurpose;
  /**
   * not_me tokens: the keyed hash of the mailbox (as in the suppression list), so the link works
   * whether or not the signup it came with still exists. A hash, never the address.
   */
  address?: string;
};

export type VerifyResult =
  | { ok: true; claims: TokenClaims; expiresAt: number }
  | { ok: false; reason: 'malformed' | 'invalid' | 'expired' };

export interface Tokens {
  /** A token valid for `ttlSeconds` from now, or until `expiresAt` (ms) when that comes first. */
  sign(claims: TokenClaims, ttlSeconds: number, opts?: { expiresAt?: number }): Promise<string>;
  verify(token: string, purpose: TokenPurpose): Promise<VerifyResult>;
}

/*
 * Tokens carry only what the check needs, so every link in a mail stays under 300 characters:
 * header {alg, kid}; payload {sub, l: list slug, p: purpose ("c" or "n"), exp}, where `sub` is the
 * signup id of a confirm token and the mailbox hash (base64url) of a not-me token. Tokens in the
 * longer form of earlier versions (iss, aud, purpose, list, adr, a 16-character kid, a not-me
 * token naming its signup) still verify until they expire.
 */
const PURPOSE_CODE: Record<TokenPurpose, string> = { confirm: 'c', not_me: 'n' };
const LEGACY_ISSUER = 'listgate';
const LEGACY_AUDIENCE = 'listgate:subscriber';
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** kid = the first hex characters of SHA-256 of the key, so the key itself never leaves the process. */
async function keyIds(key: Uint8Array): Promise<{ short: string; legacy: string }> {
  const digest = hex(await crypto.subtle.digest('SHA-256', key as Uint8Array<ArrayBuffer>));
  return { short: digest.slice(0, 8), legacy: digest.slice(0, 16) };
}

const hexToBase64url = (h: string) => base64url(new Uint8Array(h.match(/../g)!.map((b) => parseInt(b, 16))));
const base64urlToHex = (b: string) => hex(Uint8Array.from(atob(b.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0)));

/** The claims of a verified payload in either form, or null when it is not one of ours for `purpose`. */
function claimsOf(payload: JWTPayload, purpose: TokenPurpose): TokenClaims | null {
  if (payload.iss !== undefined && payload.iss !== LEGACY_ISSUER) return null;
  if (payload.aud !== undefined && payload.aud !== LEGACY_AUDIENCE) return null;
  const p = payload.p ?? payload.purpose;
  if (p !== PURPOSE_CODE[purpose] && p !== purpose) return null;
  const list = payload.l ?? payload.list;
  if (typeof payload.sub !== 'string' || typeof list !== 'string') return null;
  const legacy = p === purpose;
  if (purpose === 'confirm') return { signup: payload.sub, list, purpose };
  if (!legacy) return /^[A-Za-z0-9_-]{43}$/.test(payload.sub) ? { address: base64urlToHex(payload.sub), list, purpose } : null;
  return { signup: payload.sub, list, purpose, ...(typeof payload.adr === 'string' ? { address: payload.adr } : {}) };
}

/**
 * The HS256 signature of `signingInput` (base64url). From node:crypto (Node, and Workers through
 * nodejs_compat), which answers synchronously: jose signs and verifies through Web Crypto, whose
 * every call is a job on the thread pool; that cost 40 µs of CPU against 7 µs per signature and was
 * a fifth of a confirm's event-loop time (bench/RESULTS.md, round 5). The bytes are those jose
 * writes (test/unit/tokens.test.ts holds them against jose's SignJWT and jwtVerify).
 */
const hs256 = (key: Uint8Array, signingInput: string) => createHmac('sha256', key).update(signingInput).digest('base64url');

/** Compact-JWS part of a JSON value, as jose encodes it. */
const part = (value: object) => b64url.encode(JSON.stringify(value));

/**
 * HS256 tokens with a `kid` header. `previous` still verifies (key rotation) but never signs.
 * Algorithms are pinned to HS256, so `none` and RS/HS confusion are refused.
 */
export async function createTokens(opts: { secret: string; previous?: string; now: () => number }): Promise<Tokens> {
  const enc = new TextEncoder();
  const keys = new Map<string, Uint8Array>();
  const load = async (secret: string) => {
    const raw = enc.encode(secret);
    const ids = await keyIds(raw);
    keys.set(ids.short, raw).set(ids.legacy, raw);
    return { key: raw, kid: ids.short };
  };
  if (opts.previous) await load(opts.previous);
  const current = await load(opts.secret);
  const header = part({ alg: 'HS256', kid: current.kid });

  return {
    async sign(claims, ttlSeconds, signOpts = {}) {
      const nowSeconds = Math.floor(opts.now() / 1000);
      let exp = nowSeconds + Math.max(1, Math.round(ttlSeconds));
      if (signOpts.expiresAt !== undefined) exp = Math.max(nowSeconds + 1, Math.min(exp, Math.floor(signOpts.expiresAt / 1000)));
      const subject = claims.purpose === 'not_me' && claims.address ? hexToBase64url(claims.address) : claims.signup;
      if (!subject) throw new Error(`a ${claims.purpose} token needs ${claims.purpose === 'not_me' ? 'the mailbox hash' : 'the signup id'}`);
      const signingInput = `${header}.${part({ l: claims.list, p: PURPOSE_CODE[claims.purpose], sub: subject, exp })}`;
      return `${signingInput}.${hs256(current.key, signingInput)}`;
    },

    async verify(token, purpose) {
      if (typeof token !== 'string' || token.length > 2048 || !JWT_SHAPE.test(token)) return { ok: false, reason: 'malformed' };
      let kid: string | undefined;
      try {
        const h = decodeProtectedHeader(token);
        // No extensions: jose would refuse unknown `crit` ones, and `b64: false` payloads in a JWT.
        if (h.alg !== 'HS256' || h.crit !== undefined || h.b64 !== undefined) return { ok: false, reason: 'invalid' };
        kid = h.kid;
      } catch {
        return { ok: false, reason: 'malformed' };
      }
      const key = kid ? keys.get(kid) : undefined;
      if (!key) return { ok: false, reason: 'invalid' };
      const dot = token.lastIndexOf('.');
      // The canonical encoding only, compared in constant time.
      if (!safeEqual(hs256(key, token.slice(0, dot)), token.slice(dot + 1))) return { ok: false, reason: 'invalid' };
      try {
        // The signature checked out; jose checks the claims (exp, nbf, iat, required ones) exactly as
        // its jwtVerify does, handed the payload under an alg "none" header of our own making.
        const { payload } = UnsecuredJWT.decode(`${NONE_HEADER}.${token.slice(token.indexOf('.') + 1, dot)}.`, {
          currentDate: new Date(opts.now()),
          clockTolerance: 0,
          requiredClaims: ['exp', 'sub'],
        });
        const claims = claimsOf(payload, purpose);
        return claims ? { ok: true, claims, expiresAt: (payload.exp as number) * 1000 } : { ok: false, reason: 'invalid' };
      } catch (err) {
        if (err instanceof errors.JWTExpired) return { ok: false, reason: 'expired' };
        if (err instanceof errors.JWSInvalid || err instanceof errors.JWTInvalid) return { ok: false, reason: 'malformed' };
        return { ok: false, reason: 'invalid' };
      }
    },
  };
}

const NONE_HEADER = part({ alg: 'none' });
