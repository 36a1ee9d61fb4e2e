import { createHash } from 'node:crypto';
import { SignJWT, UnsecuredJWT, base64url } from 'jose';
import { describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../../support/app';
import { count, pendingSignup } from '../../support/flow';
import { jsonPost } from '../../support/requests';

const SECRET = 'test-secret-test-secret-test-secret!!'; // testApp's TOKEN_SECRET
const key = new TextEncoder().encode(SECRET);
const kid = createHash('sha256').update(key).digest('hex').slice(0, 16);

/** A token with the real claims of a pending signup, signed however the attacker likes. */
async function forge(t: TestApp, signupId: string, alg: string, purpose = 'confirm') {
  const jwt = new SignJWT({ list: 'newsletter', purpose })
    .setProtectedHeader({ alg, kid, typ: 'JWT' })
    .setIssuer('listgate')
    .setAudience('listgate:subscriber')
    .setSubject(signupId)
    .setIssuedAt(Math.floor(t.clock.now() / 1000))
    .setExpirationTime(Math.floor(t.clock.now() / 1000) + 3600);
  return jwt.sign(key);
}

async function pendingId(t: TestApp) {
  await pendingSignup(t, 'target@example.com');
  return (t.sqlite.sqlite.prepare("SELECT signup_id FROM subscriptions WHERE key = 'target@example.com'").get() as { signup_id: string }).signup_id;
}

describe('confirmation tokens are pinned to HS256 with our key', () => {
  it('refuses alg "none" with 400 and changes nothing', async () => {
    const t = await testApp();
    const id = await pendingId(t);
    const none = new UnsecuredJWT({ list: 'newsletter', purpose: 'confirm' }).setIssuer('listgate').setAudience('listgate:subscriber').setSubject(id).setExpirationTime('1h').encode();
    for (const token of [none, `${none}AAAA`]) {
      const res = await t.app.request('/confirm', jsonPost({ token }), { clientIp: '192.0.2.5' });
      expect(res.status).toBe(400);
    }
    expect(count(t, 'subscriptions', "state = 'confirmed'")).toBe(0);
  });

  it('refuses other HMAC algorithms signed with the same secret', async () => {
    const t = await testApp();
    const id = await pendingId(t);
    for (const alg of ['HS384', 'HS512']) {
      const res = await t.app.request('/confirm', jsonPost({ token: await forge(t, id, alg) }), { clientIp: '192.0.2.5' });
      expect(res.status, alg).toBe(400);
    }
    expect(count(t, 'subscriptions', "state = 'confirmed'")).toBe(0);
  });

  it('refuses a header claiming RS256/ES256 over an HMAC signature (algorithm confusion)', async () => {
    const t = await testApp();
    const id = await pendingId(t);
    const good = await forge(t, id, 'HS256');
    const [, payload, signature] = good.split('.');
    for (const alg of ['RS256', 'ES256', 'PS256', 'EdDSA']) {
      const header = base64url.encode(JSON.stringify({ alg, kid, typ: 'JWT' }));
      const res = await t.app.request('/confirm', jsonPost({ token: `${header}.${payload}.${signature}` }), { clientIp: '192.0.2.5' });
      expect(res.status, alg).toBe(400);
    }
    // The control: the same claims properly signed do confirm.
    expect((await t.app.request('/confirm', jsonPost({ token: good }), { clientIp: '192.0.2.5' })).status).toBe(200);
  });

  it('refuses an unknown or missing kid, and a token signed with another key', async () => {
    const t = await testApp();
    const id = await pendingId(t);
    const now = Math.floor(t.clock.now() / 1000);
    const claims = () => new SignJWT({ list: 'newsletter', purpose: 'confirm' }).setIssuer('listgate').setAudience('listgate:subscriber').setSubject(id).setIssuedAt(now).setExpirationTime(now + 3600);
    const tokens = [
      await claims().setProtectedHeader({ alg: 'HS256', kid: '0000000000000000' }).sign(key),
      await claims().setProtectedHeader({ alg: 'HS256' }).sign(key),
      await claims().setProtectedHeader({ alg: 'HS256', kid }).sign(new TextEncoder().encode('another-secret-another-secret-another!')),
    ];
    for (const token of tokens) expect((await t.app.request('/confirm', jsonPost({ token }), { clientIp: '192.0.2.5' })).status).toBe(400);
    expect(count(t, 'subscriptions', "state = 'confirmed'")).toBe(0);
  });
});
