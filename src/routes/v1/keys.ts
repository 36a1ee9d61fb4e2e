import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../../deps';
import { LIST_SLUG } from '../../domain/list-settings';
import { ApiError, validate } from '../../errors';
import { readBody } from '../../http/request';
import { principalOf, requireKey } from '../../middleware/auth';
import { createKey, keyView, listKeys, revokeKey } from '../../services/keys';

const createKeySchema = z.strictObject({
  scopes: z.array(z.enum(['export', 'events', 'admin'])).min(1).max(3),
  /** Omitted or null: a key on every list. */
  lists: z.array(z.string().regex(LIST_SLUG, 'must be a list slug')).min(1).max(100).nullish(),
  name: z.string().trim().min(1).max(100).nullish(),
});

/** Keys span lists, so every route here needs an admin key that is not limited to lists. */
export const keyRoutes = new Hono<AppEnv>();
keyRoutes.use('*', requireKey({ scope: 'admin', crossList: true }));

keyRoutes.post('/', async (c) => {
  const input = validate(createKeySchema, await readBody(c));
  const { row, key } = await createKey(c.get('deps'), { scopes: input.scopes, lists: input.lists ?? null, name: input.name ?? null }, principalOf(c).id);
  const { id, prefix, name, scopes, lists, created_at } = keyView(row);
  return c.json({ id, key, prefix, name, scopes, lists, created_at }, 201, { 'Cache-Control': 'no-store' });
});

keyRoutes.get('/', async (c) => c.json({ data: (await listKeys(c.get('deps'))).map(keyView) }));

keyRoutes.delete('/:id', async (c) => {
  const row = await revokeKey(c.get('deps'), c.req.param('id'), principalOf(c).id);
  if (!row) throw new ApiError('not_found', 'No key has this id.');
  return c.body(null, 204);
});
