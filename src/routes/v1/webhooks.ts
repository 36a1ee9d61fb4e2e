import { createRoute } from '@hono/zod-openapi';
import * as z from 'zod';
import { principalOf, requireKey } from '../../middleware/auth';
import { createWebhook, listWebhooks, removeWebhook, webhookFor, webhookView } from '../../services/webhooks';
import { bodyProblems, jsonAnswer, jsonObjectBody, jsonRequest, problems, securityFor, v1Router } from './api';
import { CreatedWebhook, idParam, newWebhookSchema, Webhook } from './webhook-schemas';

/**
 * Outbound webhooks (scope admin). A key limited to lists may make and see only webhooks limited to
 * some of its lists; a webhook without `lists` needs a key that is not limited.
 */
export const webhookRoutes = v1Router();
webhookRoutes.use('*', requireKey({ scope: 'admin' }));
const security = securityFor('admin');
const tags = ['Webhooks'];

webhookRoutes
  .openapi(
    createRoute({
      method: 'post',
      path: '/',
      summary: 'Make a webhook',
      description:
        'Events of the changes feed from now on are POSTed to `url`, signed per Standard Webhooks (see the WebhookPayload schema and the `webhooks` of this document). A target that is not allowed is 422.',
      tags,
      security,
      middleware: [jsonObjectBody],
      request: jsonRequest(newWebhookSchema, 'Where, which events, which lists.'),
      responses: { 201: jsonAnswer(CreatedWebhook, 'The webhook, with its signing secret shown once.'), ...problems(...bodyProblems) },
    }),
    async (c) => {
      const input = c.req.valid('json');
      const { row, secret } = await createWebhook(c.get('deps'), principalOf(c), { url: input.url, events: input.events, lists: input.lists ?? null });
      return c.json({ ...webhookView(row), secret }, 201, { 'Cache-Control': 'no-store' });
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/',
      summary: 'The webhooks',
      description: 'Every webhook the key may see, with its status; no secrets.',
      tags,
      security,
      responses: { 200: jsonAnswer(z.object({ data: z.array(Webhook) }), 'The webhooks.'), ...problems() },
    }),
    async (c) => c.json({ data: (await listWebhooks(c.get('deps'), principalOf(c))).map(webhookView) }, 200),
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/{id}',
      summary: 'A webhook',
      description: 'Its status (`disabled` after failing for days), position in the feed and waiting deliveries.',
      tags,
      security,
      request: { params: idParam },
      responses: { 200: jsonAnswer(Webhook, 'The webhook.'), ...problems(404) },
    }),
    async (c) => c.json(webhookView(await webhookFor(c.get('deps'), principalOf(c), c.req.valid('param').id)), 200),
  )
  .openapi(
    createRoute({
      method: 'delete',
      path: '/{id}',
      summary: 'Remove a webhook',
      description: 'Nothing more is sent to it, retries included.',
      tags,
      security,
      request: { params: idParam },
      responses: { 204: { description: 'Removed.' }, ...problems(404) },
    }),
    async (c) => {
      await removeWebhook(c.get('deps'), principalOf(c), c.req.valid('param').id);
      return c.body(null, 204);
    },
  );
