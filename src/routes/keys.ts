import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../deps';
import { audit } from '../db/queries/audit';
import { allApiKeys, createApiKey, keyView, revokeApiKey, unknownLists } from '../db/queries/keys';
import { LIST_SLUG } from '../domain/list-settings';
import { ApiError, invalidInput, validate } from '../errors';
import { readBody } from '../http';
import { principalOf, requireKey } from '../middleware/auth';

const createKeySchema = z.strictObject({
  scopes: z.array(z.enum(['export', 'events', 'admin'])).min(1).max(3),
  /** Omitted or null: a key on every list. */
  lists: z.array(z.string().regex(LIST_SLUG, 'must be a list slug')).min(1).max(100).nullish(),
  name: z.string().trim().min(1).max(100).nullish(),
});

/** Keys span lists, so every route here needs an admin key that is not limited to lists. */
export const keysRoutes = new Hono<AppEnv>();
keysRoutes.use('*', requireKey({ scope: 'admin', crossList: true }));

keysRoutes.post('/', async (c) => {
  const deps = c.get('deps');
  const input = validate(createKeySchema, await readBody(c));
  const missing = await unknownLists(deps.db, input.lists ?? []);
  if (missing.length) {
    throw invalidInput(missing.map((slug) => ({ field: 'lists', code: 'unknown_list', message: `no list "${slug}"` })));
  }
  const now = deps.clock.now();
  const { row, key } = await createApiKey(deps.db, { scopes: input.scopes, lists: input.lists ?? null, name: input.name ?? null, now });
  await audit(deps.db, { actor: principalOf(c).id, action: 'key.create', target: row.id, detail: { scopes: row.scopes, lists: row.lists }, at: now });
  const { id, prefix, name, scopes, lists, created_at } = keyView(row);
  return c.json({ id, key, prefix, name, scopes, lists, created_at }, 201, { 'Cache-Control': 'no-store' });
});

keysRoutes.get('/', async (c) => {
  const rows = await allApiKeys(c.get('deps').db);
  return c.json({ data: rows.map(keyView) });
});

keysRoutes.delete('/:id', async (c) => {
  const deps = c.get('deps');
  const id = c.req.param('id');
  const now = deps.clock.now();
  const row = await revokeApiKey(deps.db, id, now);
  if (!row) throw new ApiError('not_found', 'No key has this id.');
  await audit(deps.db, { actor: principalOf(c).id, action: 'key.revoke', target: id, at: now });
  return c.body(null, 204);
});
