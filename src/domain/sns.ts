import * as z from 'zod';
import { base64ToBytes, bounceTypeOf, DeliveryPayloadError, eventsFor, parseEventTime, type DeliveryEvent } from './delivery-events';

/** The JSON body SNS POSTs to an HTTPS subscription. Unknown fields (UnsubscribeURL...) are dropped. */
export const snsMessageSchema = z.object({
  Type: z.enum(['Notification', 'SubscriptionConfirmation', 'UnsubscribeConfirmation']),
  MessageId: z.string().min(1),
  TopicArn: z.string().min(1),
  Message: z.string(),
  Timestamp: z.string().min(1),
  SignatureVersion: z.enum(['1', '2']),
  Signature: z.string().min(1),
  SigningCertURL: z.string().min(1),
  SubscribeURL: z.string().optional(),
  Token: z.string().optional(),
  Subject: z.string().nullish(),
});
export type SnsMessage = z.infer<typeof snsMessageSchema>;

export type SnsVerificationReason =
  | 'bad_cert_url' // SigningCertURL (or a confirmation's SubscribeURL) is not an SNS host
  | 'cert_fetch_failed'
  | 'bad_cert' // not a PEM certificate with an RSA key
  | 'bad_message' // a field the signed string needs is missing
  | 'bad_signature';

export class SnsVerificationError extends Error {
  readonly reason: SnsVerificationReason;
  constructor(reason: SnsVerificationReason, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SnsVerificationError';
    this.reason = reason;
  }
}

// Regions look like us-east-1, ap-southeast-2, us-gov-west-1, cn-north-1 (the last under .com.cn).
const SNS_HOST = /^sns\.([a-z]{2}(?:-[a-z]+)+-\d{1,2})\.amazonaws\.com(\.cn)?$/;

/**
 * The only hosts we fetch certificates from (and let a confirmation send us to). Parsed with the
 * WHATWG URL parser, the same one fetch uses, so tricks like `\@` or `%2e` resolve identically.
 */
export function isAllowedSnsUrl(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol !== 'https:' || parsed.username || parsed.password || parsed.port) return false;
  const match = SNS_HOST.exec(parsed.hostname);
  if (!match) return false;
  return (match[2] !== undefined) === match[1].startsWith('cn-');
}

const NOTIFICATION_FIELDS = ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'] as const;
const CONFIRMATION_FIELDS = ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'] as const;

/** AWS's canonical form: "Name\nvalue\n" per field, in byte order of the names; only Subject is optional. */
function stringToSign(msg: SnsMessage): string {
  const fields = msg.Type === 'Notification' ? NOTIFICATION_FIELDS : CONFIRMATION_FIELDS;
  let out = '';
  for (const field of fields) {
    const value = msg[field];
    if (value == null) {
      if (field === 'Subject') continue;
      throw new SnsVerificationError('bad_message', `${msg.Type} without ${field}`);
    }
    out += `${field}\n${value}\n`;
  }
  return out;
}

type X509Module = typeof import('@peculiar/x509');
let x509Module: Promise<X509Module> | undefined;

/**
 * @peculiar/x509 2.x imports tsyringe, which throws at import time unless `Reflect.getMetadata`
 * exists (it expects the app to load `reflect-metadata`, which is not installed). So we install
 * the three functions tsyringe calls, then import x509 dynamically: a static import would be
 * evaluated before any code in this module could run. Bundlers (wrangler/esbuild) still inline it.
 */
export function loadX509(): Promise<X509Module> {
  installReflectMetadata();
  x509Module ??= import('@peculiar/x509').catch((error: unknown) => {
    x509Module = undefined;
    throw error;
  });
  return x509Module;
}

function installReflectMetadata(): void {
  const reflect = Reflect as unknown as Record<string, unknown>;
  if (typeof reflect.getMetadata === 'function') return; // the real polyfill, if someone loads it
  const store = new WeakMap<object, Map<unknown, unknown>>();
  const getOwnMetadata = (key: unknown, target: object) => store.get(target)?.get(key);
  const getMetadata = (key: unknown, target: object): unknown => {
    for (let t: object | null = target; t; t = Object.getPrototypeOf(t)) {
      if (store.get(t)?.has(key)) return store.get(t)!.get(key);
    }
  };
  const defineMetadata = (key: unknown, value: unknown, target: object) =>
    void store.set(target, (store.get(target) ?? new Map()).set(key, value));
  for (const [name, value] of Object.entries({ getMetadata, getOwnMetadata, defineMetadata })) {
    Object.defineProperty(Reflect, name, { value, configurable: true, writable: true });
  }
}

async function importCertKey(pem: string, hash: 'SHA-1' | 'SHA-256'): Promise<CryptoKey> {
  const { X509Certificate } = await loadX509();
  try {
    // Only the SPKI is taken from x509; Web Crypto does the import, so no x509 crypto provider is involved.
    const spki = new X509Certificate(pem).publicKey.rawData;
    return await crypto.subtle.importKey('spki', spki, { name: 'RSASSA-PKCS1-v1_5', hash }, false, ['verify']);
  } catch (error) {
    throw new SnsVerificationError('bad_cert', 'signing certificate is not a PEM RSA certificate', { cause: error });
  }
}

export type VerifySnsOptions = {
  /** GET the URL and resolve with the body; reject on a non-2xx answer. */
  fetchText: (url: string) => Promise<string>;
  /** One cache per process/isolate (bounded); keyed by hash and URL since a CryptoKey is bound to its hash. */
  certCache?: { get(key: string): CryptoKey | undefined; set(key: string, value: CryptoKey): unknown };
  /** Defaults to isAllowedSnsUrl; tests or private endpoints may widen it. */
  allowUrl?: (url: string) => boolean;
};

/**
 * Resolves when `msg` was signed by the certificate at its SigningCertURL, an SNS host. The URL is
 * checked before anything is fetched. Checking TopicArn against the configured topics is the
 * caller's job: any AWS account can sign messages for its own topics.
 */
export async function verifySnsMessage(msg: SnsMessage, opts: VerifySnsOptions): Promise<void> {
  const allowUrl = opts.allowUrl ?? isAllowedSnsUrl;
  const certUrl = msg.SigningCertURL;
  if (!allowUrl(certUrl)) throw new SnsVerificationError('bad_cert_url', 'SigningCertURL is not an SNS host');
  const signed = new TextEncoder().encode(stringToSign(msg));
  const signature = base64ToBytes(msg.Signature);
  if (!signature) throw new SnsVerificationError('bad_signature', 'Signature is not base64');

  const hash = msg.SignatureVersion === '1' ? 'SHA-1' : 'SHA-256'; // the schema admits only '1' and '2'
  const cacheKey = `${hash} ${certUrl}`;
  let key = opts.certCache?.get(cacheKey);
  if (!key) {
    let pem: string;
    try {
      pem = await opts.fetchText(certUrl);
    } catch (error) {
      throw new SnsVerificationError('cert_fetch_failed', 'could not fetch the signing certificate', { cause: error });
    }
    key = await importCertKey(pem, hash);
    opts.certCache?.set(cacheKey, key);
  }
  if (!(await crypto.subtle.verify('RSASSA-PKCS1-v1_5', key, signature, signed))) {
    throw new SnsVerificationError('bad_signature', 'SNS signature does not match');
  }
  // Signed by AWS, but the route will GET it to confirm: keep that fetch on SNS hosts too.
  if (msg.Type !== 'Notification' && !allowUrl(msg.SubscribeURL!)) {
    throw new SnsVerificationError('bad_cert_url', 'SubscribeURL is not an SNS host');
  }
}

const recipientsSchema = z.array(z.object({ emailAddress: z.string() })).min(1);
const time = z.string().optional();
const sesSchema = z.object({
  notificationType: z.string().optional(), // SES identity notifications
  eventType: z.string().optional(), // SES configuration-set event publishing
  mail: z
    .object({ messageId: z.string().optional(), timestamp: time, tags: z.record(z.string(), z.array(z.string())).optional().catch(undefined) })
    .optional(),
  bounce: z.object({ bounceType: z.string(), bouncedRecipients: recipientsSchema, timestamp: time }).optional(),
  complaint: z.object({ complainedRecipients: recipientsSchema, timestamp: time }).optional(),
  delivery: z.object({ recipients: z.array(z.string()).min(1), timestamp: time }).optional(),
});

/**
 * Reads the SES notification carried in an SNS `Message`: one event per recipient for Bounce,
 * Complaint and Delivery; [] for other kinds (Send, Open, Reject...). Throws DeliveryPayloadError
 * when the Message is not JSON or a kind we act on lacks its recipients or time.
 */
export function parseSesNotification(message: string): DeliveryEvent[] {
  let json: unknown;
  try {
    json = JSON.parse(message);
  } catch {
    throw new DeliveryPayloadError('ses', 'Message is not JSON');
  }
  const parsed = sesSchema.safeParse(json);
  if (!parsed.success) throw new DeliveryPayloadError('ses', z.prettifyError(parsed.error));
  const ses = parsed.data;
  const kind = ses.notificationType ?? ses.eventType;

  let type: DeliveryEvent['type'];
  let recipients: string[];
  let eventTime: string | undefined;
  let bounceType: DeliveryEvent['bounceType'];
  if (kind === 'Bounce' && ses.bounce) {
    type = 'bounce';
    recipients = ses.bounce.bouncedRecipients.map((r) => r.emailAddress);
    eventTime = ses.bounce.timestamp;
    bounceType = bounceTypeOf(ses.bounce.bounceType);
  } else if (kind === 'Complaint' && ses.complaint) {
    type = 'complaint';
    recipients = ses.complaint.complainedRecipients.map((r) => r.emailAddress);
    eventTime = ses.complaint.timestamp;
  } else if (kind === 'Delivery' && ses.delivery) {
    type = 'delivered';
    recipients = ses.delivery.recipients;
    eventTime = ses.delivery.timestamp;
  } else if (kind === 'Bounce' || kind === 'Complaint' || kind === 'Delivery') {
    throw new DeliveryPayloadError('ses', `${kind} without its ${kind.toLowerCase()} object`);
  } else {
    return [];
  }

  const at = parseEventTime(eventTime ?? '') ?? parseEventTime(ses.mail?.timestamp ?? '');
  if (at === undefined) throw new DeliveryPayloadError('ses', `${kind} without a readable timestamp`);
  const list = ses.mail?.tags && Object.hasOwn(ses.mail.tags, 'list') ? ses.mail.tags.list[0] : undefined;
  return eventsFor(recipients, { type, at, bounceType, providerMessageId: ses.mail?.messageId, list });
}
