import * as z from 'zod';
import type { RouteConfig } from '@hono/zod-openapi';
import { LIST_SLUG } from '../../domain/list-settings';
import { webhookEventNames } from '../../domain/webhook-payload';
import { dateTime } from './api';

const event = z.enum(webhookEventNames);

export const newWebhookSchema = z
  .strictObject({
    url: z.string().min(1).max(2000).openapi({
      description:
        'Where deliveries are POSTed. In production only `https:` on a public address (no loopback, private, link-local, unique-local or carrier-grade NAT address, however written), unless WEBHOOK_ALLOW_PRIVATE=1.',
      example: 'https://hooks.example.com/listgate',
    }),
    events: z.array(event).min(1).max(webhookEventNames.length).openapi({ description: 'The events to deliver.' }),
    lists: z
      .array(z.string().regex(LIST_SLUG, 'must be a list slug'))
      .min(1)
      .max(100)
      .nullish()
      .openapi({ description: 'Only events of these lists; omitted or null: every list (a key not limited to lists only).' }),
  })
  .openapi('NewWebhook', { description: 'Unknown fields are refused.' });

const webhookFields = {
  id: z.string().openapi({ example: 'wh_...' }),
  url: z.string(),
  events: z.array(event),
  lists: z.array(z.string()).nullable().openapi({ description: 'Null: every list.' }),
  status: z.enum(['active', 'failing', 'disabled']).openapi({
    description:
      '`failing`: attempts have failed since `failing_since` (they are retried); `disabled`: every attempt failed for WEBHOOK_DISABLE_AFTER_DAYS, so nothing is queued or sent until POST /v1/webhooks/{id}/enable.',
  }),
  created_at: dateTime,
  position: z.number().int().openapi({ description: 'The changes-feed position up to which events have been queued for this webhook (`seq`).' }),
  pending: z.number().int().openapi({ description: 'Deliveries waiting to be sent or retried.' }),
  last_success_at: dateTime.nullable(),
  last_failure_at: dateTime.nullable(),
  failing_since: dateTime.nullable(),
  disabled_at: dateTime.nullable(),
  disabled_reason: z.string().nullable(),
};
export const Webhook = z.object(webhookFields).openapi('Webhook', { description: 'A webhook as listed: never its secret.' });
export const CreatedWebhook = z
  .object({ ...webhookFields, secret: z.string().openapi({ description: 'The `whsec_` signing secret, shown this once.', example: 'whsec_...' }) })
  .openapi('CreatedWebhook');

export const Attempt = z
  .object({
    message_id: z.string().openapi({ description: 'The `webhook-id` header: the same on every attempt of one message.' }),
    event,
    seq: z.number().int().openapi({ description: 'The changes-feed position of the event.' }),
    attempt: z.number().int().openapi({ description: 'Counts from 1 for each message.' }),
    at: dateTime,
    duration_ms: z.number().int(),
    status: z.number().int().nullable().openapi({ description: 'The HTTP status of the answer; null when none came.' }),
    error: z.string().nullable().openapi({ description: 'Why the attempt failed (a status, a timeout, a refusal, a redirect); null on success.' }),
    response: z.string().nullable().openapi({ description: 'The start of the answer body (at most 200 characters).' }),
    outcome: z.enum(['delivered', 'retrying', 'failed']).openapi({ description: 'What became of the message after this attempt: `failed` is given up.' }),
  })
  .openapi('WebhookAttempt');

export const idParam = z.object({ id: z.string().openapi({ param: { name: 'id', in: 'path' }, example: 'wh_...' }) });

export const attemptsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50).openapi({ description: 'Attempts per page, at most 500.' }),
  cursor: z.string().regex(/^\d{1,15}$/, 'not a cursor from this endpoint').transform(Number).optional().openapi({ description: 'The `next_cursor` of the previous page.' }),
});

export const replaySchema = z
  .strictObject({ after: z.number().int().min(0).openapi({ description: 'A changes-feed position (`seq`, as in `data.seq` of a delivery): every event after it is sent again.', example: 0 }) })
  .openapi('WebhookReplay');

/** The body of every delivery (what receivers verify and read). */
export const WebhookPayload = z
  .object({
    type: event,
    timestamp: dateTime.openapi({ description: 'When the event happened.' }),
    data: z.object({
      list: z.string().openapi({ description: 'The list slug.' }),
      id: z.string().nullable().openapi({ description: "The subscription's stable opaque id (as in the export); on `subscriber.erased` the only trace of the address." }),
      seq: z.number().int().openapi({ description: 'The changes-feed position of the event: pass the last one you processed to POST /v1/webhooks/{id}/replay as `after`.' }),
      email: z.string().nullable().openapi({ description: 'Null on `subscriber.erased`, and on any event of an address erased before it was delivered.' }),
      name: z.string().nullable(),
      confirmed_at: dateTime.nullable(),
      unsubscribe_url: z.string().nullable().openapi({ description: 'The RFC 8058 one-click unsubscribe link, as in the export.' }),
    }),
  })
  .openapi('WebhookPayload', {
    description:
      'Built when it is delivered, so an erasure in between removes the address. Signed per Standard Webhooks: headers `webhook-id` (the same on every retry), `webhook-timestamp` (unix seconds of the attempt) and `webhook-signature` (`v1,` + base64 HMAC-SHA256 of `{id}.{timestamp}.{body}` keyed with the base64-decoded part of the secret after `whsec_`).',
  });

/**
 * Adds the deliveries themselves to the document (OpenAPI 3.1 `webhooks`): one entry per event, the
 * POST a receiver gets, with its signature headers. Registered on the top-level /v1 app so the names
 * stay the event names.
 */
export function describeWebhookPayloads(v1: { openAPIRegistry: { registerWebhook(webhook: RouteConfig): void } }) {
  const header = (name: string, description: string) => ({ name, in: 'header' as const, required: true, description, schema: { type: 'string' as const } });
  for (const name of webhookEventNames) {
    v1.openAPIRegistry.registerWebhook({
      method: 'post',
      path: name,
      summary: `A ${name} delivery`,
      description: `POSTed to every webhook subscribed to \`${name}\`. Answer 2xx within WEBHOOK_TIMEOUT_MS; anything else (a redirect included) or no answer is retried under the same \`webhook-id\`.`,
      tags: ['Webhooks'],
      request: {
        body: { required: true, content: { 'application/json': { schema: WebhookPayload } } },
      },
      parameters: [
        header('webhook-id', 'The message id: the same on every retry of this message; a replay sends new ids.'),
        header('webhook-timestamp', 'Unix seconds of this attempt.'),
        header('webhook-signature', '`v1,` + base64 HMAC-SHA256 of `{webhook-id}.{webhook-timestamp}.{body}`.'),
      ],
      responses: { 200: { description: 'Received (any 2xx).' } },
    });
  }
}
