import { createRoute } from '@hono/zod-openapi';
import * as z from 'zod';
import { principalOf, requireKey } from '../../middleware/auth';
import { reportMailerEvent } from '../../services/events';
import { bodyProblems, jsonAnswer, jsonObjectBody, jsonRequest, problems, securityFor, v1Router } from './api';

const list = z.string().optional().openapi({ description: 'The list; omitted: every list. A key limited to lists must name one of them.' });
const eventSchema = z
  .discriminatedUnion('type', [
    z.object({ type: z.literal('bounce'), email: z.string(), bounce_type: z.enum(['permanent', 'transient']), list }),
    z.object({ type: z.literal('complaint'), email: z.string(), list }),
    z.object({ type: z.literal('unsubscribe'), email: z.string(), list }),
  ])
  .openapi('Event', { description: 'A permanent bounce or a complaint suppresses the address; transient bounces count towards a limit.' });

const Applied = z
  .object({
    status: z.literal('applied'),
    type: z.enum(['bounce', 'complaint', 'unsubscribe']),
    subscriptions: z.number().int().optional().openapi({ description: 'For `unsubscribe`: how many subscriptions it ended.' }),
  })
  .openapi('AppliedEvent');

/** POST /v1/events: for mailers on any other provider, the same effects as the webhooks, told by the mailer itself. */
export const eventRoutes = v1Router();
eventRoutes.use('*', requireKey({ scope: 'events' }));

eventRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/',
    summary: 'Report a delivery event',
    description: 'For mailers on providers without a webhook here: the same effects as the webhooks. An unsubscribe without `list` leaves every list. A key limited to lists must name one of them (422 otherwise) and may report only addresses on it (404 otherwise, nothing changed).',
    tags: ['Events'],
    security: securityFor('events'),
    middleware: [jsonObjectBody],
    request: jsonRequest(eventSchema, 'The event.'),
    responses: { 200: jsonAnswer(Applied, 'Applied.'), ...problems(403, 404, ...bodyProblems) },
  }),
  async (c) => {
    const input = c.req.valid('json');
    const result = await reportMailerEvent(c.get('deps'), principalOf(c), input);
    return c.json({ status: 'applied' as const, type: input.type, ...result }, 200);
  },
);
