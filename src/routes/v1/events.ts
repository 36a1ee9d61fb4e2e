import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../../deps';
import { findList } from '../../db/queries/lists';
import { addressOnRecord } from '../../domain/address';
import { ApiError, invalidInput, validate } from '../../errors';
import { readBody } from '../../http/request';
import { principalOf, requireKey } from '../../middleware/auth';
import { recordDeliveryEvents } from '../../services/delivery';
import { unsubscribeAddress } from '../../services/unsubscribe';

const eventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('bounce'), email: z.string(), bounce_type: z.enum(['permanent', 'transient']), list: z.string().optional() }),
  z.object({ type: z.literal('complaint'), email: z.string(), list: z.string().optional() }),
  z.object({ type: z.literal('unsubscribe'), email: z.string(), list: z.string().optional() }),
]);

/** POST /v1/events: for mailers on any other provider, the same effects as the webhooks, told by the mailer itself. */
export const eventRoutes = new Hono<AppEnv>();
eventRoutes.use('*', requireKey({ scope: 'events' }));

eventRoutes.post('/', async (c) => {
  const deps = c.get('deps');
  const principal = principalOf(c);
  const input = validate(eventSchema, await readBody(c));
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
    return c.json({ status: 'applied', type: input.type, subscriptions: changed }, 200);
  }
  await recordDeliveryEvents(
    deps,
    [{ type: input.type, email: input.email, at: deps.clock.now(), bounceType: input.type === 'bounce' ? input.bounce_type : undefined, list: input.list }],
    { source: `api:${principal.id}` },
  );
  return c.json({ status: 'applied', type: input.type }, 200);
});
