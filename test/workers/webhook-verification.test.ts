import { describe, expect, it } from 'vitest';
import { verifyResendWebhook, WebhookSignatureError } from '../../src/domain/resend-webhook';
import { type SnsMessage, SnsVerificationError, verifySnsMessage } from '../../src/domain/sns';
import { makeSnsCertificate } from '../support/fakes/sns-cert';

// Webhook verification runs on Web Crypto in workerd as on Node (the routes are tested on Node).
const b64 = (bytes: ArrayBuffer | Uint8Array) => btoa(String.fromCharCode(...new Uint8Array(bytes)));

describe('Svix (Resend) verification in workerd', () => {
  const secretBytes = crypto.getRandomValues(new Uint8Array(24));
  const secret = `whsec_${b64(secretBytes)}`;
  async function sign(id: string, ts: number, body: string) {
    const key = await crypto.subtle.importKey('raw', secretBytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    return `v1,${b64(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(`${id}.${ts}.${body}`)))}`;
  }

  it('accepts a fresh valid signature and rejects a tampered body or a stale timestamp', async () => {
    const now = Date.UTC(2026, 3, 1);
    const ts = Math.floor(now / 1000);
    const body = '{"type":"email.bounced"}';
    const signature = await sign('msg_1', ts, body);
    await expect(verifyResendWebhook(secret, body, { id: 'msg_1', timestamp: String(ts), signature }, now)).resolves.toBeUndefined();
    const reason = (p: Promise<unknown>) => p.then(() => 'accepted', (e) => (e instanceof WebhookSignatureError ? e.reason : String(e)));
    expect(await reason(verifyResendWebhook(secret, `${body} `, { id: 'msg_1', timestamp: String(ts), signature }, now))).toBe('bad_signature');
    expect(await reason(verifyResendWebhook(secret, body, { id: 'msg_1', timestamp: String(ts), signature }, now + 6 * 60_000))).toBe('stale_timestamp');
  });
});

describe('SNS (SES) verification in workerd', () => {
  it('verifies a message signed by a certificate (x509 loads in workerd) and rejects a tampered one', async () => {
    // The certificate is parsed with @peculiar/x509 (loadX509) inside workerd by the code under test.
    const { pem, keys } = await makeSnsCertificate();
    const certUrl = 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-test.pem';
    const msg = {
      Type: 'Notification',
      MessageId: 'm-1',
      TopicArn: 'arn:aws:sns:us-east-1:123456789012:ses',
      Timestamp: '2026-03-01T10:00:00.000Z',
      Message: '{"notificationType":"Bounce"}',
      SignatureVersion: '2',
      SigningCertURL: certUrl,
    } as const;
    const text = ['Message', 'MessageId', 'Timestamp', 'TopicArn', 'Type'].map((k) => `${k}\n${msg[k as keyof typeof msg]}\n`).join('');
    const Signature = b64(await crypto.subtle.sign('RSASSA-PKCS1-v1_5', keys.privateKey, new TextEncoder().encode(text)));
    const fetchText = async (url: string) => (url === certUrl ? pem : Promise.reject(new Error('404')));
    const signed = { ...msg, Signature } as SnsMessage;
    await expect(verifySnsMessage(signed, { fetchText })).resolves.toBeUndefined();
    const tampered = verifySnsMessage({ ...signed, Message: '{"notificationType":"Complaint"}' }, { fetchText });
    await expect(tampered).rejects.toBeInstanceOf(SnsVerificationError);
  });
});
