import { Hono } from 'hono';
import type { AppEnv } from '../../deps';
import { ApiError } from '../../errors';
import { principalOf, requireKey } from '../../middleware/auth';
import { requireList } from '../../middleware/list';
import { erase, namedAddress } from '../../services/suppressions';
import { lookupSubscriber } from '../../services/subscribers';
import { unsubscribeByOperator } from '../../services/unsubscribe';

/**
 * One address across every list: "why did I get this?" (a key limited to lists sees only its lists)
 * and erasure (it spans lists: a key not limited to lists).
 */
export const subscriberRoutes = new Hono<AppEnv>();

subscriberRoutes.get('/:email', requireKey({ scope: 'admin' }), async (c) => c.json(await lookupSubscriber(c.get('deps'), c.req.param('email'), principalOf(c))));

/** Erasure: 200 with how many lists held the address (also for an address on none: it is still never mailed again). */
subscriberRoutes.delete('/:email', requireKey({ scope: 'admin', crossList: true }), async (c) => {
  const { lists } = await erase(c.get('deps'), c.req.param('email'), principalOf(c).id);
  return c.json({ status: 'erased', lists }, 200);
});

/** An operator takes an address off one list (an admin key on that list). */
export const listSubscriberRoutes = new Hono<AppEnv>();

listSubscriberRoutes.post('/:list/subscribers/:email/unsubscribe', requireKey({ scope: 'admin' }), async (c) => {
  const deps = c.get('deps');
  const list = await requireList(c);
  const { key } = await namedAddress(deps, c.req.param('email'));
  const state = await unsubscribeByOperator(deps, list, key, principalOf(c).id);
  if (!state) throw new ApiError('not_found', 'This address is not on this list.');
  return c.json({ status: state });
});
