import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import { findList } from '../../db/queries/lists';
import { addressOnRecord } from '../../domain/address';
import { ApiError, invalidInput } from '../../errors';
import { principalOf, requireKey } from '../../middleware/auth';
import { recordDeliveryEvents } from '../../services/delivery';
import { unsubscribeAddress } from '../../services/unsubscribe';
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
    description: 'For mailers on providers without a webhook here: the same effects as the webhooks. An unsubscribe without `list` leaves every list.',
    tags: ['Events'],
    security: securityFor('events'),
    middleware: [jsonObjectBody],
    request: jsonRequest(eventSchema, 'The event.'),
    responses: { 200: jsonAnswer(Applied, 'Applied.'), ...problems(404, ...bodyProblems) },
  }),
  async (c) => {
    const deps = c.get('deps');
    const principal = principalOf(c);
    const input = c.req.valid('json');
    const address = addressOnRecord(input.email);
    if (!address) throw invalidInput([{ field: 'email', code: 'invalid', message: 'Enter a valid email address.' }]);
    let listId: number | undefined;
    if (input.list !== undefined) {
      if (principal.lists && !principal.lists.includes(input.list)) throw new ApiError('forbidden', 'The key is not allowed on this list.');
      const list = await findList(deps.db, input.list);
      if (!list) throw new ApiError('not_found', 'There is no list with this name.');
      listId = list.id;
    } else if (principal.lists) {
      // An event for every list would reach lists this key may not touch.
      throw invalidInput([{ field: 'list', code: 'required', message: 'A key limited to lists must name the list.' }]);
    }

    if (input.type === 'unsubscribe') {
      const changed = await unsubscribeAddress(deps, address.key, listId, `api:${principal.id}`);
      return c.json({ status: 'applied' as const, type: input.type, subscriptions: changed }, 200);
    }
    await recordDeliveryEvents(
      deps,
      [{ type: input.type, email: input.email, at: deps.clock.now(), bounceType: input.type === 'bounce' ? input.bounce_type : undefined, list: input.list }],
      { source: `api:${principal.id}` },
    );
    return c.json({ status: 'applied' as const, type: input.type }, 200);
  },
);
