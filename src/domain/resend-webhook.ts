import * as z from 'zod';
import { safeEqual } from './ids';
import { base64ToBytes, bounceTypeOf, DeliveryPayloadError, eventsFor, parseEventTime, type DeliveryEvent } from './delivery-events';

/*
 * Svix verification with Web Crypto rather than the `svix` package. svix 1.x delegates to
 * `standardwebhooks`, whose verify() reads Date.now() itself (no way to inject the Clock, so the
 * 5-minute window is untestable without faking global time), reports failures only as untyped
 * message strings, and parseInt()s the timestamp (so `1700000000abc` passes). Its pure-JS
 * SHA-256 would run in workerd, but the scheme is ~20 lines on crypto.subtle, which both
 * runtimes implement natively.
 */

const TOLERANCE_SECONDS = 5 * 60;
const SECRET_PREFIX = 'whsec_';

export type WebhookSignatureReason = 'missing_headers' | 'bad_signature' | 'stale_timestamp';

export class WebhookSignatureError extends Error {
  readonly reason: WebhookSignatureReason;
  constructor(reason: WebhookSignatureReason, message: string) {
    super(message);
    this.name = 'WebhookSignatureError';
    this.reason = reason;
  }
}

/** Header values as the router reads them (`c.req.header('svix-id')` may be undefined). */
export type SvixHeaders = {
  id?: string | null;
  timestamp?: string | null;
  signature?: string | null;
};

/**
 * Resolves when `rawBody` (the exact bytes received, not re-serialised JSON) carries a valid
 * Svix signature made within 5 minutes of `nowMs`; otherwise throws WebhookSignatureError.
 * A secret that is not valid base64 throws a plain Error: that is our misconfiguration, not a 401.
 */
export async function verifyResendWebhook(
  secret: string,
  rawBody: string,
  headers: SvixHeaders,
  nowMs: number,
): Promise<void> {
  const { id, timestamp, signature } = headers;
  if (!id || !timestamp || !signature) {
    throw new WebhookSignatureError('missing_headers', 'svix-id, svix-timestamp and svix-signature are required');
  }
  if (!/^\d{1,12}$/.test(timestamp)) {
    throw new WebhookSignatureError('missing_headers', 'svix-timestamp is not a unix time in seconds');
  }
  const sentAt = Number(timestamp);
  const now = Math.floor(nowMs / 1000);
  if (Math.abs(now - sentAt) > TOLERANCE_SECONDS) {
    throw new WebhookSignatureError('stale_timestamp', 'svix-timestamp is outside the 5 minute tolerance');
  }

  const keyBytes = base64ToBytes(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret);
  if (!keyBytes || keyBytes.length === 0) throw new Error('webhook secret is not valid whsec_ base64');
  const key = await crypto.subtle.importKey('raw', keyBytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  // Svix signs the timestamp as a number, so `0170...` in the header still means 170...
  const signed = new TextEncoder().encode(`${id}.${sentAt}.${rawBody}`);
  const expected = new Uint8Array(await crypto.subtle.sign('HMAC', key, signed));

  // Several signatures appear while a secret is being rotated; any one valid v1 entry suffices.
  for (const entry of signature.split(' ')) {
    const [version, b64] = entry.split(',', 2);
    if (version !== 'v1' || !b64) continue;
    const candidate = base64ToBytes(b64);
    if (candidate && safeEqual(candidate, expected)) return;
  }
  throw new WebhookSignatureError('bad_signature', 'no matching v1 signature');
}

// Tags have been sent both as an object and as [{name, value}]; neither is worth rejecting for.
const tagsSchema = z
  .union([z.record(z.string(), z.string()), z.array(z.object({ name: z.string(), value: z.string() }))])
  .optional()
  .catch(undefined);

const emailDataSchema = z.object({
  email_id: z.string().optional(),
  to: z.array(z.string()).min(1).or(z.string().transform((to) => [to])),
  tags: tagsSchema,
});

// Only the type is required of every event, so a new event kind with another shape is ignored, not a 400.
const envelopeSchema = z.object({ type: z.string() });
const knownEventSchema = z.object({ created_at: z.string(), data: z.unknown() });

const bounceDataSchema = emailDataSchema.extend({
  bounce: z.object({ type: z.string(), subType: z.string().optional(), message: z.string().optional() }),
});

function listTag(tags: z.infer<typeof tagsSchema>): string | undefined {
  if (!tags) return undefined;
  return Array.isArray(tags) ? tags.find((t) => t.name === 'list')?.value : Object.hasOwn(tags, 'list') ? tags.list : undefined;
}

// A Map, not an object literal: a payload type of "constructor" must not find Object.prototype.
const EVENT_TYPES = new Map<string, DeliveryEvent['type']>([
  ['email.bounced', 'bounce'],
  ['email.complained', 'complaint'],
  ['email.delivered', 'delivered'],
]);

/**
 * Turns a verified Resend webhook body into one event per recipient, or null for event types we
 * do not act on (opened, clicked, sent...). Throws DeliveryPayloadError when a type we act on
 * arrives in a shape we cannot read.
 */
export function parseResendEvent(payload: unknown): DeliveryEvent[] | null {
  const envelope = read(envelopeSchema, payload);
  const type = EVENT_TYPES.get(envelope.type);
  if (!type) return null;
  const event = read(knownEventSchema, payload);
  const at = parseEventTime(event.created_at);
  if (at === undefined) throw new DeliveryPayloadError('resend', `unreadable created_at ${JSON.stringify(event.created_at)}`);

  let bounceType: DeliveryEvent['bounceType'];
  let data: z.infer<typeof emailDataSchema>;
  if (type === 'bounce') {
    const bounced = read(bounceDataSchema, event.data);
    bounceType = bounceTypeOf(bounced.bounce.type);
    data = bounced;
  } else {
    data = read(emailDataSchema, event.data);
  }
  return eventsFor(data.to, { type, at, bounceType, providerMessageId: data.email_id, list: listTag(data.tags) });
}

function read<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new DeliveryPayloadError('resend', z.prettifyError(parsed.error));
  return parsed.data;
}

/** What a Resend contact event says about one address: the contact-wide flag and topics opted out. */
export type ResendContactEvent = { email: string; unsubscribed: boolean; optedOut: string[] };

const topicsSchema = z.array(z.object({ id: z.string(), subscription: z.string() })).optional();
const contactDataSchema = z.object({ email: z.string(), unsubscribed: z.boolean().optional(), topics: topicsSchema });

/**
 * `contact.updated` (the contact-wide `unsubscribed` flag; topics too, if a payload carries them)
 * and `contact.topics.updated` (where resend-node 6.38 puts topic changes), or null for any other
 * type. Only withdrawals are read: an opt-in in Resend never subscribes anyone here (that takes a
 * double opt-in).
 */
export function parseResendContactEvent(payload: unknown): ResendContactEvent | null {
  const { type } = read(envelopeSchema, payload);
  if (type !== 'contact.updated' && type !== 'contact.topics.updated') return null;
  const data = read(z.object({ data: contactDataSchema }), payload).data;
  return { email: data.email, unsubscribed: data.unsubscribed === true, optedOut: (data.topics ?? []).filter((t) => t.subscription === 'opt_out').map((t) => t.id) };
}
