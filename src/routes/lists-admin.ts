import { Hono } from 'hono';
import type { AppEnv } from '../deps';
import { audit } from '../db/queries/audit';
import { allLists, putList } from '../db/queries/lists';
import { LIST_SLUG, listSettingsSchema, listView, toListSettings } from '../domain/list-settings';
import { invalidInput, validate } from '../errors';
import { readBody } from '../http';
import { principalOf, requireKey } from '../middleware/auth';
import { requireList } from './list-param';

/** Operators create, replace and read lists. A list-limited admin key sees only its lists. */
export const listsAdminRoutes = new Hono<AppEnv>();
const admin = requireKey({ scope: 'admin' });

listsAdminRoutes.get('/v1/lists', admin, async (c) => {
  const allowed = principalOf(c).lists;
  const rows = await allLists(c.get('deps').db);
  return c.json({ data: rows.filter((l) => !allowed || allowed.includes(l.slug)).map(listView) });
});

listsAdminRoutes.get('/v1/lists/:list', admin, async (c) => {
  return c.json(listView(await requireList(c)));
});

listsAdminRoutes.put('/v1/lists/:list', admin, async (c) => {
  const deps = c.get('deps');
  const slug = c.req.param('list');
  if (!LIST_SLUG.test(slug)) {
    throw invalidInput([{ field: 'list', code: 'invalid_string', message: 'a slug is 1-63 of a-z, 0-9 and "-", starting with a letter or digit' }]);
  }
  const input = validate(listSettingsSchema, await readBody(c));
  const now = deps.clock.now();
  const { list, created } = await putList(deps.db, slug, toListSettings(input), now);
  await audit(deps.db, { actor: principalOf(c).id, action: created ? 'list.create' : 'list.replace', target: slug, at: now });
  return c.json(listView(list), created ? 201 : 200);
});
