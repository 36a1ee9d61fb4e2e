import { Hono, type Context } from 'hono';
import type { AppEnv } from '../deps';
import { boundedCache, type BoundedCache } from '../domain/bounded-cache';
import { DeliveryPayloadError, type DeliveryEvent } from '../domain/delivery-events';
import { parseResendContactEvent, parseResendEvent, verifyResendWebhook, WebhookSignatureError } from '../domain/resend-webhook';
import { parseSesNotification, snsMessageSchema, SnsVerificationError, verifySnsMessage } from '../domain/sns';
import { ApiError } from '../errors';
import { recordDeliveryEvents } from '../services/delivery';
import { applyContactEvent } from '../services/resend-sync';

/** Bounces, complaints and deliveries from the mail providers, signed by them. */
export const webhookRoutes = new Hono<AppEnv>();

// SNS signing certificates, one cache per fetcher: deps (and so its fetch) live as long as the
// process or isolate, while a test that injects its own fetch gets its own cache.
const certCaches = new WeakMap<typeof fetch, BoundedCache<CryptoKey>>();
/** SNS signs with a handful of certificates; the cache stays small whatever URLs messages name. */
const CERT_CACHE_MAX = 64;

webhookRoutes.post('/resend', async (c) => {
  const deps = c.get('deps');
  const secret = deps.config.RESEND_WEBHOOK_SECRET;
  if (!secret) throw new ApiError('unavailable', 'Resend webhooks are not configured here (RESEND_WEBHOOK_SECRET is unset).');
  // The signature covers the exact bytes, so the body is read once as text and parsed from that.
  const raw = await c.req.text();
  const svixId = c.req.header('svix-id');
  try {
    await verifyResendWebhook(secret, raw, { id: svixId, timestamp: c.req.header('svix-timestamp'), signature: c.req.header('svix-signature') }, deps.clock.now());
  } catch (err) {
    if (err instanceof WebhookSignatureError) {
      const detail = err.reason === 'stale_timestamp' ? 'The svix-timestamp is more than 5 minutes away.' : 'The Svix signature is missing or does not match.';
      throw new ApiError('invalid_signature', detail);
    }
    deps.logger.error('RESEND_WEBHOOK_SECRET is not a valid whsec_ secret');
    throw new ApiError('unavailable', 'Resend webhooks are misconfigured here.');
  }
  const body: unknown = parsePayload(() => JSON.parse(raw));
  // Contact events (the sync's way back) carry no mail: they unsubscribe, nothing else.
  const contact = parsePayload(() => parseResendContactEvent(body));
  if (contact) return c.json({ status: 'applied', subscriptions: await applyContactEvent(deps, contact) }, 200);
  const events = parsePayload(() => parseResendEvent(body));
  if (!events) return c.json({ status: 'ignored' }, 200);
  return applyEvents(c, events, { source: `resend:${svixId}`, receipt: { id: `resend:${svixId}`, source: 'resend' } });
});

webhookRoutes.post('/ses', async (c) => {
  const deps = c.get('deps');
  const topics = deps.config.SES_TOPIC_ARNS;
  if (!topics.length) throw new ApiError('unavailable', 'SES webhooks are not configured here (SES_TOPIC_ARNS is unset).');
  // SNS posts JSON as text/plain, so the content type is not checked.
  let body: unknown;
  try {
    body = JSON.parse(await c.req.text());
  } catch {
    throw new ApiError('bad_request', 'The body is not an SNS message (not JSON).');
  }
  const parsed = snsMessageSchema.safeParse(body);
  if (!parsed.success) throw new ApiError('bad_request', 'The body is not an SNS message.');
  const msg = parsed.data;
  // Checked before the signature so an unknown topic never makes us fetch a certificate.
  if (!topics.includes(msg.TopicArn)) throw new ApiError('forbidden', 'This SNS topic is not accepted here (SES_TOPIC_ARNS).');

  let certCache = certCaches.get(deps.fetch);
  if (!certCache) certCaches.set(deps.fetch, (certCache = boundedCache<CryptoKey>(CERT_CACHE_MAX, 24 * 3600_000)));
  const fetchText = async (url: string) => {
    const res = await deps.fetch(url, { signal: AbortSignal.timeout(5000) });
    if (!res.ok) throw new Error(`certificate answered ${res.status}`);
    return res.text();
  };
  try {
    await verifySnsMessage(msg, { fetchText, certCache });
  } catch (err) {
    if (!(err instanceof SnsVerificationError)) throw err;
    deps.logger.warn('SNS message rejected', { reason: err.reason, topic: msg.TopicArn });
    if (err.reason === 'cert_fetch_failed') throw new ApiError('unavailable', 'The SNS signing certificate could not be fetched; try again.');
    throw new ApiError('invalid_signature', 'The SNS signature could not be verified.');
  }

  if (msg.Type === 'SubscriptionConfirmation') {
    // verifySnsMessage has already held SubscribeURL to the SNS host pin.
    const res = await deps.fetch(msg.SubscribeURL!, { signal: AbortSignal.timeout(5000) }).catch(() => undefined);
    if (!res?.ok) throw new ApiError('unavailable', 'The SNS subscription could not be confirmed; SNS will retry.');
    deps.logger.info('SNS subscription confirmed', { topic: msg.TopicArn });
    return c.json({ status: 'subscribed' }, 200);
  }
  if (msg.Type === 'UnsubscribeConfirmation') {
    deps.logger.warn('SNS topic unsubscribed this endpoint', { topic: msg.TopicArn });
    return c.json({ status: 'ignored' }, 200);
  }
  const events = parsePayload(() => parseSesNotification(msg.Message));
  if (!events.length) return c.json({ status: 'ignored' }, 200);
  return applyEvents(c, events, { source: `ses:${msg.MessageId}`, receipt: { id: `ses:${msg.MessageId}`, source: 'ses' } });
});

function parsePayload<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof DeliveryPayloadError || err instanceof SyntaxError) throw new ApiError('bad_request', 'The event is signed but its content could not be read.');
    throw err;
  }
}

async function applyEvents(c: Context<AppEnv>, events: DeliveryEvent[], opts: Parameters<typeof recordDeliveryEvents>[2]) {
  const result = await recordDeliveryEvents(c.get('deps'), events, opts);
  return c.json({ status: result.outcome, events: result.events }, 200);
}
