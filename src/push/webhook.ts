import { Webhook } from 'standardwebhooks';
import type { WebhookTransport } from '../deps';
import { feedEvent } from '../db/queries/push';
import { webhookTarget } from '../db/queries/webhooks';
import { webhookPayload } from '../domain/webhook-payload';
import type { PushSender } from './dispatch';

/** Sent with every delivery, so receivers can tell listgate's requests apart in their logs. */
const USER_AGENT = 'listgate-webhooks/1';

/**
 * The sender of outbound webhooks. The payload is built when it is sent (an erasure in between
 * has removed the address), and signed per Standard Webhooks by the `standardwebhooks` package:
 * `webhook-id` is the delivery's message id (the same on every retry), `webhook-timestamp` this
 * attempt's time and `webhook-signature` `v1,` + the HMAC-SHA256 of `{id}.{timestamp}.{body}`.
 * A 2xx answer delivers; anything else (a redirect included) or no answer is a failed attempt.
 */
export function webhookSender(transport: WebhookTransport): PushSender {
  return async (ports, d) => {
    const target = await webhookTarget(ports.db, d.consumerId);
    if (!target) return { drop: 'the webhook was deleted' };
    const event = await feedEvent(ports.db, d.seq);
    if (!event?.list) return { drop: 'the list was deleted' };
    const body = JSON.stringify(webhookPayload({ ...event, list: event.list }, ports.config.PUBLIC_URL));
    const now = ports.clock.now();
    const headers = {
      'content-type': 'application/json',
      'user-agent': USER_AGENT,
      'webhook-id': d.messageId,
      'webhook-timestamp': String(Math.floor(now / 1000)),
      'webhook-signature': new Webhook(target.secret).sign(d.messageId, new Date(now), body),
    };
    const started = performance.now();
    const answer = await transport.post(target.url, { headers, body });
    const durationMs = performance.now() - started;
    if ('error' in answer) return { ok: false, status: null, error: answer.error, excerpt: null, durationMs };
    const ok = answer.status >= 200 && answer.status < 300;
    const error = ok ? null : answer.status >= 300 && answer.status < 400 ? `redirect (HTTP ${answer.status}) not followed` : `HTTP ${answer.status}`;
    return { ok, status: answer.status, error, excerpt: answer.excerpt || null, durationMs };
  };
}
