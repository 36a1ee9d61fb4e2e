import { createRoute } from '@hono/zod-openapi';
import * as z from 'zod';
import { principalOf, requireKey } from '../../middleware/auth';
import { enableWebhook, replayWebhook, webhookAttempts, webhookView } from '../../services/webhooks';
import { bodyProblems, jsonAnswer, jsonObjectBody, jsonRequest, problems, securityFor, v1Router } from './api';
import { Attempt, attemptsQuery, idParam, replaySchema, Webhook } from './webhook-schemas';

/** What a webhook's deliveries came to, and the operator's levers: replay and enable. */
export const webhookDeliveryRoutes = v1Router();
webhookDeliveryRoutes.use('*', requireKey({ scope: 'admin' }));
const security = securityFor('admin');
const tags = ['Webhooks'];

webhookDeliveryRoutes
  .openapi(
    createRoute({
      method: 'get',
      path: '/{id}/deliveries',
      summary: 'Recent delivery attempts',
      description: 'Newest first: each attempt with its event, status code or error, time, and what became of the message.',
      tags,
      security,
      request: { params: idParam, query: attemptsQuery },
      responses: { 200: jsonAnswer(z.object({ data: z.array(Attempt), next_cursor: z.string().nullable() }), 'A page of attempts.'), ...problems(404, 422) },
    }),
    async (c) => {
      const q = c.req.valid('query');
      return c.json(await webhookAttempts(c.get('deps'), principalOf(c), c.req.valid('param').id, q.limit, q.cursor), 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/{id}/replay',
      summary: 'Send events again from a feed position',
      description:
        'Every event after `after` (a `seq` of the changes feed) is queued again, with new message ids, for a receiver that lost data. Deliveries still waiting for those events are replaced.',
      tags,
      security,
      middleware: [jsonObjectBody],
      request: { params: idParam, ...jsonRequest(replaySchema, 'Where to start.') },
      responses: { 202: jsonAnswer(Webhook, 'The webhook, its position moved back.'), ...problems(404, ...bodyProblems) },
    }),
    async (c) => c.json(webhookView(await replayWebhook(c.get('deps'), principalOf(c), c.req.valid('param').id, c.req.valid('json').after)), 202),
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/{id}/enable',
      summary: 'Enable a disabled webhook',
      description: 'Deliveries that waited are sent at once, and new events are queued again from where it stopped.',
      tags,
      security,
      request: { params: idParam },
      responses: { 200: jsonAnswer(Webhook, 'The webhook, enabled.'), ...problems(404) },
    }),
    async (c) => c.json(webhookView(await enableWebhook(c.get('deps'), principalOf(c), c.req.valid('param').id)), 200),
  );
