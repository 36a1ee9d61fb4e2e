import { Webhook } from 'svix';
import type { SnsMessage } from '../../src/domain/sns';
import type { TestApp } from './app';
import { makeSnsCertificate } from './fakes/sns-cert';

export const b64 = (bytes: ArrayBuffer | Uint8Array) => btoa(String.fromCharCode(...new Uint8Array(bytes)));

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
