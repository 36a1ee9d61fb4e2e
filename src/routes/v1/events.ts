import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../../deps';
import { validate } from '../../errors';
import { readBody } from '../../http/request';
import { principalOf, requireKey } from '../../middleware/auth';
import { reportMailerEvent } from '../../services/events';

const eventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('bounce'), email: z.string(), bounce_type: z.enum(['permanent', 'transient']), list: z.string().optional() }),
  z.object({ type: z.literal('complaint'), email: z.string(), list: z.string().optional() }),
  z.object({ type: z.literal('unsubscribe'), email: z.string(), list: z.string().optional() }),
]);

/** POST /v1/events: for mailers on any other provider, the same effects as the webhooks, told by the mailer itself. */
export const eventRoutes = new Hono<AppEnv>();
eventRoutes.use('*', requireKey({ scope: 'events' }));

eventRoutes.post('/', async (c) => {
  const input = validate(eventSchema, await readBody(c));
  const result = await reportMailerEvent(c.get('deps'), principalOf(c), input);
  return c.json({ status: 'applied', type: input.type, ...result }, 200);
});
