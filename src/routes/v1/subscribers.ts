import { createRoute } from '@hono/zod-openapi';
import * as z from 'zod';
import { importModes, subscriptionStates, suppressionReasons } from '../../db/schema';
import { ApiError } from '../../errors';
import { principalOf, requireKey } from '../../middleware/auth';
import { requireList } from '../../middleware/list';
import { erase, namedAddress } from '../../services/suppressions';
import { lookupSubscriber } from '../../services/subscribers';
import { unsubscribeByOperator } from '../../services/unsubscribe';
import { dateTime, emailParam, jsonAnswer, keyed, listParam, problems, securityFor, v1Router } from './api';

const nullableTime = dateTime.nullable();
const text = z.string().nullable();
const Subscriber = z
  .object({
    email: z.string(),
    suppression: z.object({ reason: z.enum(suppressionReasons), source: text, created_at: dateTime }).nullable(),
    subscriptions: z.array(
      z.object({
        id: z.string().openapi({ description: "The subscription's stable opaque id, as in the export." }),
        list: z.string(),
        list_name: z.string(),
        email: z.string(),
        name: text,
        state: z.enum(subscriptionStates),
        created_at: dateTime,
        updated_at: dateTime,
        confirmed_at: nullableTime,
        unsubscribed_at: nullableTime,
        suppressed_at: nullableTime,
        signup: z.object({ ip: text, user_agent: text, source: text, consent_text: text.openapi({ description: 'The consent wording the form showed.' }) }).openapi({ description: 'Consent evidence of the signup.' }),
        confirmation: z.object({ ip: text, user_agent: text }).nullable(),
        unsubscribe: z.object({ source: text }).nullable(),
        import: z
          .object({
            id: z.string(),
            mode: z.enum(importModes),
            consent_source: text.openapi({ description: 'How consent was collected, as the import said.' }),
            opt_in_at: nullableTime.openapi({ description: 'The opt-in time the imported file gave (evidence only).' }),
          })
          .nullable()
          .openapi({ description: 'The import that brought the subscription in; null for a signup.' }),
      }),
    ),
  })
  .openapi('Subscriber', { description: 'An address on every list the key may see, with its suppression.' });

/**
 * One address across every list: "why did I get this?" (a key limited to lists sees only its lists)
 * and erasure (it spans lists: a key not limited to lists).
 */
export const subscriberRoutes = v1Router();

subscriberRoutes
  .openapi(
    createRoute({
      method: 'get',
      path: '/{email}',
      summary: 'Look up an address',
      description:
        'The address on every list (every variant of its mailbox): state, times and consent evidence, and its suppression. A key limited to lists sees only its lists (404 when the address is on none of them).',
      tags: ['Subscribers'],
      ...keyed({ scope: 'admin' }),
      request: { params: emailParam },
      responses: { 200: jsonAnswer(Subscriber, 'The address.'), ...problems(404, 422) },
    }),
    async (c) => c.json(await lookupSubscriber(c.get('deps'), c.req.valid('param').email, principalOf(c)), 200),
  )
  .openapi(
    createRoute({
      method: 'delete',
      path: '/{email}',
      summary: 'Erase an address',
      description:
        'Personal data removed from every list (every variant of its mailbox); the mailbox kept only as a keyed hash so it is never mailed again. Also for an address on no list. Needs a key not limited to lists.',
      tags: ['Subscribers'],
      ...keyed({ scope: 'admin', crossList: true }),
      request: { params: emailParam },
      responses: {
        200: jsonAnswer(z.object({ status: z.literal('erased'), lists: z.number().int().openapi({ description: 'How many lists held the address.' }) }), 'Erased.'),
        ...problems(422),
      },
    }),
    async (c) => {
      const { lists } = await erase(c.get('deps'), c.req.valid('param').email, principalOf(c).id);
      return c.json({ status: 'erased' as const, lists }, 200);
    },
  );

/** An operator takes an address off one list (an admin key on that list). */
export const listSubscriberRoutes = v1Router().openapi(
  createRoute({
    method: 'post',
    path: '/{list}/subscribers/{email}/unsubscribe',
    summary: 'Unsubscribe an address from a list',
    tags: ['Subscribers'],
    ...keyed({ scope: 'admin' }),
    request: { params: listParam.extend(emailParam.shape) },
    responses: {
      200: jsonAnswer(z.object({ status: z.enum(subscriptionStates).openapi({ description: 'The state on the list afterwards (`unsubscribed`, or `suppressed` for a suppressed address).' }) }), 'Unsubscribed.'),
      ...problems(404, 422),
    },
  }),
  async (c) => {
    const deps = c.get('deps');
    const list = await requireList(c);
    const { key } = await namedAddress(deps, c.req.valid('param').email);
    const state = await unsubscribeByOperator(deps, list, key, principalOf(c).id);
    if (!state) throw new ApiError('not_found', 'This address is not on this list.');
    return c.json({ status: state }, 200);
  },
);
