import { asc, eq } from 'drizzle-orm';
import { Webhook } from 'svix';
import { apiKeys, changes, type Scope, subscriptions, suppressions } from '../../src/db/schema';
import { putList } from '../../src/db/queries/lists';
import { sha256Hex } from '../../src/domain/ids';
import type { SnsMessage } from '../../src/domain/sns';
import { makeSnsCertificate } from './fakes/sns-cert';
import { confirmTokenFor, signup, type TestApp } from './app';

export const ADMIN = 'admin-token-for-tests-0123456789';
export const b64 = (bytes: ArrayBuffer | Uint8Array) => btoa(String.fromCharCode(...new Uint8Array(bytes)));

export async function makeList(t: TestApp, slug: string) {
  return (await putList(t.deps.db, slug, { name: slug }, t.clock.now())).list;
}

/** Signs up, delivers the mail and confirms: a confirmed subscriber of `list`. */
export async function confirmed(t: TestApp, email: string, list = 'newsletter') {
  t.clock.advance(16 * 60_000); // past the per-address mail cooldown, which spans lists
  const before = t.mailer.sent.length;
  const res = await signup(t, email, { list, ip: `198.51.100.${Math.floor(Math.random() * 250)}` });
  if (res.status !== 202) throw new Error(`signup ${res.status}`);
  await t.deliver();
  if (t.mailer.sent.length !== before + 1) throw new Error('no confirmation mail');
  const token = confirmTokenFor(t.mailer, email);
  const ok = await t.app.request('/confirm', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }) });
  if (ok.status !== 200) throw new Error(`confirm ${ok.status}`);
}

/** A stored API key with the given scopes; answers the bearer secret. */
export async function apiKey(t: TestApp, scopes: Scope[], lists: string[] | null = null): Promise<string> {
  const key = `lg_test_${crypto.randomUUID()}`;
  await t.deps.db.insert(apiKeys).values({ id: crypto.randomUUID(), prefix: key.slice(0, 8), hash: await sha256Hex(key), scopes, lists, createdAt: t.clock.now() });
  return key;
}

export function states(t: TestApp, email: string) {
  return t.deps.db.select({ listId: subscriptions.listId, state: subscriptions.state }).from(subscriptions).where(eq(subscriptions.email, email)).orderBy(asc(subscriptions.listId)).all();
}

export function feed(t: TestApp, listId: number) {
  return t.deps.db.select({ type: changes.type, email: changes.email }).from(changes).where(eq(changes.listId, listId)).orderBy(asc(changes.seq)).all();
}

export function suppressionRows(t: TestApp) {
  return t.deps.db.select().from(suppressions).all();
}

export function json(t: TestApp, method: string, path: string, body?: unknown, key = ADMIN) {
  return t.app.request(path, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

// --- Resend (Svix) --------------------------------------------------------------------------

export const RESEND_SECRET = `whsec_${b64(new Uint8Array(32).fill(7))}`;

/** Posts a Resend event signed by the svix package itself, at the test clock's time unless told. */
export function postResend(t: TestApp, event: object, opts: { id?: string; sentAt?: number; secret?: string } = {}) {
  const body = JSON.stringify(event);
  const id = opts.id ?? `msg_${crypto.randomUUID()}`;
  const sentAt = new Date(opts.sentAt ?? t.clock.now());
  const signature = new Webhook(opts.secret ?? RESEND_SECRET).sign(id, sentAt, body);
  return t.app.request('/webhooks/resend', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'svix-id': id, 'svix-timestamp': String(Math.floor(sentAt.getTime() / 1000)), 'svix-signature': signature },
    body,
  });
}

export function resendEvent(t: TestApp, type: string, to: string, extra: Record<string, unknown> = {}) {
  return { type, created_at: new Date(t.clock.now()).toISOString(), data: { email_id: 'em_1', to: [to], ...extra } };
}

// --- SNS ------------------------------------------------------------------------------------

export const CERT_URL = 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-test.pem';
export const TOPIC = 'arn:aws:sns:us-east-1:123456789012:ses-events';

/** A self-made signing key and certificate, as AWS's would be, and a signer in the AWS scheme. */
export async function snsSigner() {
  const { pem, keys } = await makeSnsCertificate();
  async function sign(msg: Omit<SnsMessage, 'Signature' | 'SignatureVersion' | 'SigningCertURL'> & { SigningCertURL?: string }): Promise<SnsMessage> {
    const full = { SignatureVersion: '2' as const, SigningCertURL: CERT_URL, ...msg };
    const m = full as Record<string, string | undefined>;
    const names = full.Type === 'Notification'
      ? ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type']
      : ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'];
    const text = names.filter((n) => m[n] !== undefined).map((n) => `${n}\n${m[n]}\n`).join('');
    const sig = await crypto.subtle.sign('RSASSA-PKCS1-v1_5', keys.privateKey, new TextEncoder().encode(text));
    return { ...full, Signature: b64(sig) };
  }
  return { pem, sign };
}
