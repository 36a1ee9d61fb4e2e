import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../../deps';
import { validate } from '../../errors';
import { readBody } from '../../http/request';
import { principalOf, requireKey } from '../../middleware/auth';
import { addSuppression, liftSuppression, suppressionPage, suppressionView } from '../../services/suppressions';

const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: z.string().regex(/^\d{1,16}\.[0-9a-f]{64}$/, 'not a cursor from this endpoint').optional(),
});
const addBody = z.object({ email: z.string(), reason: z.literal('manual').default('manual') }).strict();

/** The global suppression list: it spans lists, so an admin key not limited to lists. */
export const suppressionRoutes = new Hono<AppEnv>();
suppressionRoutes.use('*', requireKey({ scope: 'admin', crossList: true }));

suppressionRoutes.get('/', async (c) => {
  const q = validate(pageQuery, c.req.query());
  return c.json(await suppressionPage(c.get('deps'), q.limit, q.cursor));
});

suppressionRoutes.post('/', async (c) => {
  const input = validate(addBody, await readBody(c));
  const { row, existed } = await addSuppression(c.get('deps'), input.email, principalOf(c).id);
  return c.json(suppressionView(row), existed ? 200 : 201);
});

suppressionRoutes.delete('/:email', async (c) => {
  await liftSuppression(c.get('deps'), c.req.param('email'), c.req.query('force') === 'true', principalOf(c).id);
  return c.body(null, 204);
});
