import { CompactSign, SignJWT, decodeProtectedHeader, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { createTokens, type TokenClaims } from '../../src/domain/tokens';

const SECRET = 'current-secret-current-secret-000';
const OLD_SECRET = 'retired-secret-retired-secret-000';
const OTHER_SECRET = 'attacker-secret-attacker-secret-0';
const claims: TokenClaims = { signup: 'sig_abc', list: 'newsletter', purpose: 'confirm' };
const HOUR = 3600;

function clock(start = Date.UTC(2026, 0, 1)) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const partsOf = (token: string) => token.split('.') as [string, string, string];
const payloadOf = (token: string) => JSON.parse(Buffer.from(partsOf(token)[1], 'base64url').toString()) as Record<string, unknown>;

/** A token with our claims layout but chosen header/claims, signed with `secret`. */
function craft(secret: string, opts: { kid: string; iss?: string; aud?: string; purpose?: string; exp: number; now: number }) {
  return new SignJWT({ list: 'newsletter', purpose: opts.purpose ?? 'confirm' })
    .setProtectedHeader({ alg: 'HS256', kid: opts.kid, typ: 'JWT' })
    .setIssuer(opts.iss ?? 'listgate')
    .setAudience(opts.aud ?? 'listgate:subscriber')
    .setSubject('sig_abc')
    .setIssuedAt(Math.floor(opts.now / 1000))
    .setExpirationTime(opts.exp)
    .sign(new TextEncoder().encode(secret));
}

describe('confirmation tokens', () => {
  it('verifies its own token and names the signup, list and expiry', async () => {
    const c = clock();
    const tokens = await createTokens({ secret: SECRET, now: c.now });
    const token = await tokens.sign(claims, 48 * HOUR);
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'HS256', kid: expect.stringMatching(/^[0-9a-f]{8}$/) });
    expect(await tokens.verify(token, 'confirm')).toEqual({ ok: true, claims, expiresAt: c.now() + 48 * HOUR * 1000 });
  });

  it('writes the very bytes jose writes, and jose verifies them', async () => {
    const c = clock();
    const tokens = await createTokens({ secret: SECRET, now: c.now });
    const key = new TextEncoder().encode(SECRET);
    const exp = Math.floor(c.now() / 1000) + 48 * HOUR;
    const token = await tokens.sign(claims, 48 * HOUR);
    const { kid } = decodeProtectedHeader(token);
    const byJose = await new SignJWT({ l: 'newsletter', p: 'c' }).setProtectedHeader({ alg: 'HS256', kid }).setSubject('sig_abc').setExpirationTime(exp).sign(key);
    expect(token).toBe(byJose);
    const hash = 'cd'.repeat(32);
    const notMe = await tokens.sign({ list: 'newsletter', purpose: 'not_me', address: hash }, HOUR);
    const verified = await jwtVerify(notMe, key, { algorithms: ['HS256'], currentDate: new Date(c.now()) });
    expect(verified.payload).toEqual({ l: 'newsletter', p: 'n', sub: Buffer.from(hash, 'hex').toString('base64url'), exp: Math.floor(c.now() / 1000) + HOUR });
  });

  it('refuses a signature in any but its canonical encoding, critical header extensions, and a payload that is not a claims object', async () => {
    const c = clock();
    const tokens = await createTokens({ secret: SECRET, now: c.now });
    const key = new TextEncoder().encode(SECRET);
    const token = await tokens.sign(claims, HOUR);
    const kid = decodeProtectedHeader(token).kid as string;
    // 43 characters carry 258 bits for a 256-bit MAC: the last one has two spare bits.
    const last = token.at(-1)!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const sameBytes = token.slice(0, -1) + alphabet[alphabet.indexOf(last) ^ 1];
    expect(Buffer.from(sameBytes.split('.')[2], 'base64url')).toEqual(Buffer.from(token.split('.')[2], 'base64url'));
    expect(await tokens.verify(sameBytes, 'confirm')).toEqual({ ok: false, reason: 'invalid' });

    const exp = Math.floor(c.now() / 1000) + HOUR;
    const withCrit = await new SignJWT({ l: 'newsletter', p: 'c' })
      .setProtectedHeader({ alg: 'HS256', kid, crit: ['x-later'], 'x-later': true })
      .setSubject('sig_abc')
      .setExpirationTime(exp)
      .sign(key, { crit: { 'x-later': true } });
    expect(await tokens.verify(withCrit, 'confirm')).toEqual({ ok: false, reason: 'invalid' });

    const notClaims = await new CompactSign(new TextEncoder().encode('[1,2]')).setProtectedHeader({ alg: 'HS256', kid }).sign(key);
    expect(await tokens.verify(notClaims, 'confirm')).toEqual({ ok: false, reason: 'malformed' });
    const noExpiry = await new SignJWT({ l: 'newsletter', p: 'c' }).setProtectedHeader({ alg: 'HS256', kid }).setSubject('sig_abc').sign(key);
    expect((await tokens.verify(noExpiry, 'confirm')).ok).toBe(false);
  });

  it('never puts the secret into the token', async () => {
    const tokens = await createTokens({ secret: SECRET, now: clock().now });
    const token = await tokens.sign(claims, HOUR);
    const decoded = partsOf(token).slice(0, 2).map((p) => Buffer.from(p, 'base64url').toString()).join('');
    expect(decoded).not.toContain(SECRET);
  });

  it('refuses a token whose payload was changed after signing', async () => {
    const tokens = await createTokens({ secret: SECRET, now: clock().now });
    const [h, , s] = partsOf(await tokens.sign(claims, HOUR));
    const tampered = `${h}.${b64({ ...payloadOf(await tokens.sign(claims, HOUR)), sub: 'sig_someone_else' })}.${s}`;
    expect(await tokens.verify(tampered, 'confirm')).toEqual({ ok: false, reason: 'invalid' });
  });

  it('refuses a token signed with another key, with our kid or its own', async () => {
    const c = clock();
    const tokens = await createTokens({ secret: SECRET, now: c.now });
    const ourKid = decodeProtectedHeader(await tokens.sign(claims, HOUR)).kid as string;
    const exp = Math.floor(c.now() / 1000) + HOUR;
    const forgedWithOurKid = await craft(OTHER_SECRET, { kid: ourKid, exp, now: c.now() });
    const forgedOwnKid = await craft(OTHER_SECRET, { kid: 'deadbeefdeadbeef', exp, now: c.now() });
    const noKid = await new SignJWT({ list: 'newsletter', purpose: 'confirm' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('sig_abc')
      .setExpirationTime(exp)
      .sign(new TextEncoder().encode(SECRET));
    for (const t of [forgedWithOurKid, forgedOwnKid, noKid]) expect(await tokens.verify(t, 'confirm')).toEqual({ ok: false, reason: 'invalid' });
  });

  it('refuses alg "none" and other algorithms', async () => {
    const c = clock();
    const tokens = await createTokens({ secret: SECRET, now: c.now });
    const real = await tokens.sign(claims, HOUR);
    const { kid } = decodeProtectedHeader(real);
    const body = partsOf(real)[1];
    for (const alg of ['none', 'None', 'HS512', 'RS256']) {
      for (const sig of ['', 'AAAA', partsOf(real)[2]]) {
        const verdict = await tokens.verify(`${b64({ alg, kid, typ: 'JWT' })}.${body}.${sig}`, 'confirm');
        expect(verdict.ok).toBe(false);
      }
    }
  });

  it('answers malformed for things that are not a JWT at all', async () => {
    const tokens = await createTokens({ secret: SECRET, now: clock().now });
    for (const t of ['', 'abc', 'a.b', 'a.b.c.d', 'a b.c.d', '!!!.???.***', `${'a'.repeat(3000)}.b.c`, 'e30.e30.e30x']) {
      const verdict = await tokens.verify(t, 'confirm');
      expect(verdict.ok, t).toBe(false);
      if (!verdict.ok) expect(['malformed', 'invalid']).toContain(verdict.reason);
    }
    expect(await tokens.verify('not-a-token', 'confirm')).toEqual({ ok: false, reason: 'malformed' });
  });

  it('refuses a token of another purpose', async () => {
    const tokens = await createTokens({ secret: SECRET, now: clock().now });
    const notMe = await tokens.sign({ ...claims, purpose: 'not_me' }, HOUR);
    const confirm = await tokens.sign(claims, HOUR);
    expect(await tokens.verify(notMe, 'confirm')).toEqual({ ok: false, reason: 'invalid' });
    expect(await tokens.verify(confirm, 'not_me')).toEqual({ ok: false, reason: 'invalid' });
  });

  it('refuses a token with the wrong issuer or audience even when signed with our key', async () => {
    const c = clock();
    const tokens = await createTokens({ secret: SECRET, now: c.now });
    const kid = decodeProtectedHeader(await tokens.sign(claims, HOUR)).kid as string;
    const exp = Math.floor(c.now() / 1000) + HOUR;
    const ours = await craft(SECRET, { kid, exp, now: c.now() });
    expect((await tokens.verify(ours, 'confirm')).ok).toBe(true); // the crafting is faithful
    expect(await tokens.verify(await craft(SECRET, { kid, exp, now: c.now(), iss: 'someone-else' }), 'confirm')).toEqual({ ok: false, reason: 'invalid' });
    expect(await tokens.verify(await craft(SECRET, { kid, exp, now: c.now(), aud: 'listgate:admin' }), 'confirm')).toEqual({ ok: false, reason: 'invalid' });
  });

  it('expires through the clock, and only a genuine token counts as expired', async () => {
    const c = clock();
    const tokens = await createTokens({ secret: SECRET, now: c.now });
    const token = await tokens.sign(claims, 2 * HOUR);
    c.advance(2 * HOUR * 1000 - 1000);
    expect((await tokens.verify(token, 'confirm')).ok).toBe(true);
    c.advance(1000);
    expect(await tokens.verify(token, 'confirm')).toEqual({ ok: false, reason: 'expired' });

    const kid = decodeProtectedHeader(token).kid as string;
    const forgedExpired = await craft(OTHER_SECRET, { kid, exp: Math.floor(c.now() / 1000) - 10, now: c.now() - HOUR * 1000 });
    expect(await tokens.verify(forgedExpired, 'confirm')).toEqual({ ok: false, reason: 'invalid' });
  });

  it('honours fractional lifetimes (CONFIRM_TTL_HOURS=0.5)', async () => {
    const c = clock();
    const tokens = await createTokens({ secret: SECRET, now: c.now });
    const token = await tokens.sign(claims, 0.5 * HOUR);
    c.advance(29 * 60_000);
    expect((await tokens.verify(token, 'confirm')).ok).toBe(true);
    c.advance(60_000);
    expect(await tokens.verify(token, 'confirm')).toEqual({ ok: false, reason: 'expired' });
  });

  it('rotates keys: a token from the retired key verifies while it is TOKEN_SECRET_PREVIOUS, not after', async () => {
    const c = clock();
    const before = await createTokens({ secret: OLD_SECRET, now: c.now });
    const oldToken = await before.sign(claims, HOUR);

    const rotated = await createTokens({ secret: SECRET, previous: OLD_SECRET, now: c.now });
    expect(await rotated.verify(oldToken, 'confirm')).toMatchObject({ ok: true, claims });
    const newToken = await rotated.sign(claims, HOUR);
    expect(decodeProtectedHeader(newToken).kid).not.toBe(decodeProtectedHeader(oldToken).kid);
    expect((await before.verify(newToken, 'confirm')).ok).toBe(false); // the new key signs, the old one only verifies

    const retired = await createTokens({ secret: SECRET, now: c.now });
    expect(await retired.verify(oldToken, 'confirm')).toEqual({ ok: false, reason: 'invalid' });
    expect((await retired.verify(newToken, 'confirm')).ok).toBe(true);
  });
});

describe('tokens of earlier versions', () => {
  it('still verifies a confirm token and a not-me token in the longer form (iss, aud, purpose, list, adr, 16-character kid)', async () => {
    const c = clock();
    const tokens = await createTokens({ secret: SECRET, now: c.now });
    const digest = Buffer.from(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(SECRET))).toString('hex');
    const exp = Math.floor(c.now() / 1000) + HOUR;
    const old = await craft(SECRET, { kid: digest.slice(0, 16), exp, now: c.now() });
    expect(await tokens.verify(old, 'confirm')).toEqual({ ok: true, claims: { signup: 'sig_abc', list: 'newsletter', purpose: 'confirm' }, expiresAt: exp * 1000 });
    const hash = 'ab'.repeat(32);
    const oldNotMe = await new SignJWT({ list: 'newsletter', purpose: 'not_me', adr: hash })
      .setProtectedHeader({ alg: 'HS256', kid: digest.slice(0, 16), typ: 'JWT' })
      .setIssuer('listgate')
      .setAudience('listgate:subscriber')
      .setSubject('sig_abc')
      .setExpirationTime(exp)
      .sign(new TextEncoder().encode(SECRET));
    expect(await tokens.verify(oldNotMe, 'not_me')).toMatchObject({ ok: true, claims: { signup: 'sig_abc', address: hash, purpose: 'not_me' } });
    // A new not-me token carries the mailbox hash as its subject, and no signup.
    const fresh = await tokens.sign({ list: 'newsletter', purpose: 'not_me', address: hash }, HOUR);
    expect(await tokens.verify(fresh, 'not_me')).toMatchObject({ ok: true, claims: { address: hash, list: 'newsletter', purpose: 'not_me' } });
    expect(await tokens.verify(fresh, 'confirm')).toEqual({ ok: false, reason: 'invalid' });
  });
});
