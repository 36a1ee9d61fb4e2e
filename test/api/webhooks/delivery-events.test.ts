import { beforeAll, describe, expect, it, vi } from 'vitest';
import { Webhook } from 'svix';
import { DeliveryPayloadError } from '../../../src/domain/delivery-events';
import { parseResendEvent, verifyResendWebhook, WebhookSignatureError } from '../../../src/domain/resend-webhook';
import { makeSnsCertificate } from '../../support/fakes/sns-cert';
import {
  isAllowedSnsUrl,
  parseSesNotification,
  snsMessageSchema,
  SnsVerificationError,
  verifySnsMessage,
  type SnsMessage,
} from '../../../src/domain/sns';

const b64 = (bytes: ArrayBuffer | Uint8Array) => btoa(String.fromCharCode(...new Uint8Array(bytes)));

describe('verifyResendWebhook (Svix scheme)', () => {
  const secret = `whsec_${b64(crypto.getRandomValues(new Uint8Array(24)))}`;
  const body = JSON.stringify({ type: 'email.bounced', data: { to: ['a@example.com'] } });
  const sentAt = 1_750_000_000;
  const now = sentAt * 1000;
  // The svix package's own signer is the reference our Web Crypto verifier must agree with.
  const sign = (id: string, ts: number, payload: string) => new Webhook(secret).sign(id, new Date(ts * 1000), payload);
  const headers = (over: Partial<Record<'id' | 'timestamp' | 'signature', string | undefined>> = {}) => ({
    id: 'msg_1',
    timestamp: String(sentAt),
    signature: sign('msg_1', sentAt, body),
    ...over,
  });
  const reasonOf = (p: Promise<unknown>) =>
    p.then(
      () => 'accepted',
      (e: unknown) => (e instanceof WebhookSignatureError ? e.reason : `unexpected ${String(e)}`),
    );

  it('accepts a body signed with the endpoint secret', async () => {
    await expect(verifyResendWebhook(secret, body, headers(), now)).resolves.toBeUndefined();
  });

  it('rejects a tampered body, another secret and another message id as bad_signature', async () => {
    expect(await reasonOf(verifyResendWebhook(secret, body.replace('a@', 'b@'), headers(), now))).toBe('bad_signature');
    const other = `whsec_${b64(crypto.getRandomValues(new Uint8Array(24)))}`;
    expect(await reasonOf(verifyResendWebhook(other, body, headers(), now))).toBe('bad_signature');
    expect(await reasonOf(verifyResendWebhook(secret, body, headers({ id: 'msg_2' }), now))).toBe('bad_signature');
    expect(await reasonOf(verifyResendWebhook(secret, body, headers({ signature: 'v1,!!notbase64' }), now))).toBe('bad_signature');
  });

  it('rejects timestamps more than 5 minutes old or ahead as stale_timestamp', async () => {
    expect(await reasonOf(verifyResendWebhook(secret, body, headers(), now + 301_000))).toBe('stale_timestamp');
    expect(await reasonOf(verifyResendWebhook(secret, body, headers(), now - 301_000))).toBe('stale_timestamp');
    expect(await reasonOf(verifyResendWebhook(secret, body, headers(), now + 299_000))).toBe('accepted');
    expect(await reasonOf(verifyResendWebhook(secret, body, headers(), now - 299_000))).toBe('accepted');
  });

  it('rejects missing or malformed headers as missing_headers', async () => {
    for (const key of ['id', 'timestamp', 'signature'] as const) {
      expect(await reasonOf(verifyResendWebhook(secret, body, headers({ [key]: undefined }), now))).toBe('missing_headers');
      expect(await reasonOf(verifyResendWebhook(secret, body, headers({ [key]: '' }), now))).toBe('missing_headers');
    }
    expect(await reasonOf(verifyResendWebhook(secret, body, headers({ timestamp: `${sentAt}abc` }), now))).toBe('missing_headers');
  });

  it('accepts a header listing several signatures when one is valid (secret rotation)', async () => {
    const valid = sign('msg_1', sentAt, body);
    const forged = `v1,${b64(new Uint8Array(32))}`;
    const signature = `v1a,${valid.slice(3)} ${forged} ${valid}`;
    await expect(verifyResendWebhook(secret, body, headers({ signature }), now)).resolves.toBeUndefined();
    expect(await reasonOf(verifyResendWebhook(secret, body, headers({ signature: `${forged} v2,${valid.slice(3)}` }), now))).toBe('bad_signature');
  });
});

describe('parseResendEvent', () => {
  const created_at = '2026-03-01T10:00:00.000Z';
  const at = Date.parse(created_at);
  const email = (type: string, extra: object = {}) => ({
    type,
    created_at,
    data: { email_id: 'em_1', to: ['Ann <ann@example.com>', 'bob@example.com'], tags: { list: 'news' }, ...extra },
  });

  it('reads each bounce type per recipient', () => {
    const bounce = (type: string) => email('email.bounced', { bounce: { message: 'x', subType: 'General', type } });
    expect(parseResendEvent(bounce('Permanent'))).toEqual([
      { type: 'bounce', email: 'ann@example.com', bounceType: 'permanent', at, providerMessageId: 'em_1', list: 'news' },
      { type: 'bounce', email: 'bob@example.com', bounceType: 'permanent', at, providerMessageId: 'em_1', list: 'news' },
    ]);
    expect(parseResendEvent(bounce('Transient'))?.[0].bounceType).toBe('transient');
    expect(parseResendEvent(bounce('Undetermined'))?.[0].bounceType).toBe('undetermined');
    expect(parseResendEvent(bounce('constructor'))?.[0].bounceType).toBe('undetermined');
  });

  it('reads complaints and deliveries, and ignores other event types', () => {
    expect(parseResendEvent(email('email.complained'))?.map((e) => [e.type, e.email, e.bounceType])).toEqual([
      ['complaint', 'ann@example.com', undefined],
      ['complaint', 'bob@example.com', undefined],
    ]);
    expect(parseResendEvent(email('email.delivered'))?.[0]).toMatchObject({ type: 'delivered', at });
    expect(parseResendEvent(email('email.opened'))).toBeNull();
    expect(parseResendEvent({ type: 'contact.created', data: { id: 1 } })).toBeNull();
  });

  it('throws DeliveryPayloadError for malformed events it would act on', () => {
    expect(() => parseResendEvent('nope')).toThrow(DeliveryPayloadError);
    expect(() => parseResendEvent({ data: {} })).toThrow(DeliveryPayloadError);
    expect(() => parseResendEvent(email('email.bounced'))).toThrow(DeliveryPayloadError);
    expect(() => parseResendEvent({ type: 'email.complained', created_at, data: { to: [] } })).toThrow(DeliveryPayloadError);
    expect(() => parseResendEvent({ ...email('email.delivered'), created_at: 'yesterday' })).toThrow(DeliveryPayloadError);
  });
});

describe('isAllowedSnsUrl', () => {
  it.each([
    'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem',
    'https://sns.eu-west-1.amazonaws.com/x.pem',
    'https://sns.us-gov-west-1.amazonaws.com/x.pem',
    'https://sns.cn-north-1.amazonaws.com.cn/x.pem',
  ])('allows %s', (url) => expect(isAllowedSnsUrl(url)).toBe(true));

  it.each([
    'http://sns.us-east-1.amazonaws.com/x.pem',
    'https://sns.us-east-1.amazonaws.com.evil.com/x.pem',
    'https://evilsns.us-east-1.amazonaws.com/x.pem',
    'https://sns.us-east-1.amazonaws.com@evil.com/x.pem',
    'https://user:pw@sns.us-east-1.amazonaws.com/x.pem',
    'https://sns.us-east-1.amazonaws.com:8443/x.pem',
    'https://sns.amazonaws.com/x.pem',
    'https://sns.us-east-1.amazonaws.com./x.pem',
    'https://s3.us-east-1.amazonaws.com/x.pem',
    'https://sns.us-east-1.amazonaws.com.cn/x.pem',
    'not a url',
  ])('rejects %s', (url) => expect(isAllowedSnsUrl(url)).toBe(false));
});

describe('verifySnsMessage', () => {
  const certUrl = 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-test.pem';
  let pem: string;
  const signers: Record<'1' | '2', CryptoKey> = {} as never;

  beforeAll(async () => {
    const made = await makeSnsCertificate();
    pem = made.pem;
    const keys = made.keys;
    // A CryptoKey is bound to one hash, so SignatureVersion 1 needs the private key again as SHA-1.
    const pkcs8 = await crypto.subtle.exportKey('pkcs8', keys.privateKey);
    for (const [v, hash] of [['1', 'SHA-1'], ['2', 'SHA-256']] as const) {
      signers[v] = await crypto.subtle.importKey('pkcs8', pkcs8, { name: 'RSASSA-PKCS1-v1_5', hash }, false, ['sign']);
    }
  });

  // Written out from the AWS docs independently of the code under test.
  async function signed(msg: Omit<SnsMessage, 'Signature'>): Promise<SnsMessage> {
    const m = msg as Record<string, string | undefined>;
    const names = msg.Type === 'Notification'
      ? ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type']
      : ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'];
    const text = names.filter((n) => m[n] !== undefined).map((n) => `${n}\n${m[n]}\n`).join('');
    const sig = await crypto.subtle.sign('RSASSA-PKCS1-v1_5', signers[msg.SignatureVersion], new TextEncoder().encode(text));
    return { ...msg, Signature: b64(sig) };
  }
  const base = { MessageId: 'm-1', TopicArn: 'arn:aws:sns:us-east-1:123456789012:ses', Timestamp: '2026-03-01T10:00:00.000Z', SigningCertURL: certUrl };
  const notification = (v: '1' | '2', extra: Partial<SnsMessage> = {}) =>
    signed({ ...base, Type: 'Notification', Message: '{"notificationType":"Bounce"}\nline two', SignatureVersion: v, ...extra });
  const confirmation = (v: '1' | '2', extra: Partial<SnsMessage> = {}) =>
    signed({ ...base, Type: 'SubscriptionConfirmation', Message: 'You have chosen to subscribe', Token: 'tok', SubscribeURL: 'https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=tok', SignatureVersion: v, ...extra });
  const fetcher = () => vi.fn(async (url: string) => (url === certUrl ? pem : Promise.reject(new Error('404'))));
  const reasonOf = (p: Promise<unknown>) =>
    p.then(() => 'accepted', (e: unknown) => (e instanceof SnsVerificationError ? e.reason : `unexpected ${String(e)}`));

  it.each(['1', '2'] as const)('accepts notifications and confirmations signed with SignatureVersion %s', async (v) => {
    for (const msg of [await notification(v), await notification(v, { Subject: 'Amazon SES Email Event' }), await confirmation(v)]) {
      expect(snsMessageSchema.parse(msg)).toEqual(msg);
      await expect(verifySnsMessage(msg, { fetchText: fetcher() })).resolves.toBeUndefined();
    }
  });

  it.each(['1', '2'] as const)('rejects a tampered Message, Subject or Token (SignatureVersion %s)', async (v) => {
    const msg = await notification(v, { Subject: 'hello' });
    expect(await reasonOf(verifySnsMessage({ ...msg, Message: msg.Message + ' ' }, { fetchText: fetcher() }))).toBe('bad_signature');
    expect(await reasonOf(verifySnsMessage({ ...msg, Subject: undefined }, { fetchText: fetcher() }))).toBe('bad_signature');
    const conf = await confirmation(v);
    expect(await reasonOf(verifySnsMessage({ ...conf, Token: 'other' }, { fetchText: fetcher() }))).toBe('bad_signature');
    expect(await reasonOf(verifySnsMessage({ ...conf, Token: undefined }, { fetchText: fetcher() }))).toBe('bad_message');
  });

  it('rejects a forged certificate host without fetching it', async () => {
    const fetchText = fetcher();
    const msg = await notification('2', { SigningCertURL: 'https://sns.us-east-1.amazonaws.com.evil.com/cert.pem' });
    expect(await reasonOf(verifySnsMessage(msg, { fetchText }))).toBe('bad_cert_url');
    expect(fetchText).not.toHaveBeenCalled();
  });

  it('rejects a confirmation whose SubscribeURL leaves SNS, even when signed', async () => {
    const msg = await confirmation('2', { SubscribeURL: 'https://evil.example/confirm' });
    expect(await reasonOf(verifySnsMessage(msg, { fetchText: fetcher() }))).toBe('bad_cert_url');
  });

  it('fetches a certificate once for several messages when given a cache', async () => {
    const fetchText = fetcher();
    const certCache = new Map<string, CryptoKey>();
    await verifySnsMessage(await notification('2'), { fetchText, certCache });
    await verifySnsMessage(await confirmation('2', { MessageId: 'm-2' }), { fetchText, certCache });
    expect(fetchText).toHaveBeenCalledTimes(1);
    expect(fetchText).toHaveBeenCalledWith(certUrl);
  });

  it('reports unreachable and unreadable certificates', async () => {
    const msg = await notification('1');
    expect(await reasonOf(verifySnsMessage(msg, { fetchText: () => Promise.reject(new Error('timeout')) }))).toBe('cert_fetch_failed');
    expect(await reasonOf(verifySnsMessage(msg, { fetchText: async () => '<html>hi</html>' }))).toBe('bad_cert');
  });
});

describe('parseSesNotification', () => {
  const mail = { timestamp: '2026-03-01T09:59:00.000Z', messageId: 'ses-1', destination: ['ann@example.com'] };
  const at = Date.parse('2026-03-01T10:00:00.000Z');
  const bounce = (bounceType: string) =>
    JSON.stringify({
      notificationType: 'Bounce',
      bounce: { bounceType, bounceSubType: 'General', timestamp: '2026-03-01T10:00:00.000Z', feedbackId: 'f', bouncedRecipients: [{ emailAddress: '"Ann A." <ann@example.com>', action: 'failed', status: '5.1.1' }] },
      mail,
    });

  it('reads Permanent, Transient and Undetermined bounces', () => {
    expect(parseSesNotification(bounce('Permanent'))).toEqual([
      { type: 'bounce', email: 'ann@example.com', bounceType: 'permanent', at, providerMessageId: 'ses-1' },
    ]);
    expect(parseSesNotification(bounce('Transient'))[0].bounceType).toBe('transient');
    expect(parseSesNotification(bounce('Undetermined'))[0].bounceType).toBe('undetermined');
  });

  it('reads complaints and deliveries, from notifications and event publishing alike', () => {
    const complaint = { eventType: 'Complaint', complaint: { complainedRecipients: [{ emailAddress: 'ann@example.com' }], timestamp: '2026-03-01T10:00:00.000Z' }, mail: { ...mail, tags: { list: ['news'] } } };
    expect(parseSesNotification(JSON.stringify(complaint))).toEqual([
      { type: 'complaint', email: 'ann@example.com', at, providerMessageId: 'ses-1', list: 'news' },
    ]);
    const delivery = { notificationType: 'Delivery', delivery: { recipients: ['ann@example.com', 'bob@example.com'], smtpResponse: '250 ok' }, mail };
    expect(parseSesNotification(JSON.stringify(delivery)).map((e) => [e.type, e.email, e.at])).toEqual([
      ['delivered', 'ann@example.com', Date.parse(mail.timestamp)],
      ['delivered', 'bob@example.com', Date.parse(mail.timestamp)],
    ]);
  });

  it('ignores other kinds and throws on malformed ones', () => {
    expect(parseSesNotification(JSON.stringify({ eventType: 'Open', open: {}, mail }))).toEqual([]);
    expect(parseSesNotification(JSON.stringify({ notificationType: 'AmazonSnsSubscriptionSucceeded' }))).toEqual([]);
    expect(() => parseSesNotification('not json')).toThrow(DeliveryPayloadError);
    expect(() => parseSesNotification(JSON.stringify({ notificationType: 'Bounce', mail }))).toThrow(DeliveryPayloadError);
    expect(() => parseSesNotification(JSON.stringify({ notificationType: 'Delivery', delivery: { recipients: ['a@b.c'] } }))).toThrow(DeliveryPayloadError);
  });
});
