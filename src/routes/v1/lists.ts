import { Hono } from 'hono';
import type { AppEnv } from '../../deps';
import { allLists } from '../../db/queries/lists';
import { LIST_SLUG, listSettingsSchema } from '../../domain/list-settings';
import { invalidInput, validate } from '../../errors';
import { readBody } from '../../http/request';
import { principalOf, requireKey } from '../../middleware/auth';
import { requireList } from '../../middleware/list';
import { listView, removeList, saveList } from '../../services/lists';

/** Operators create, replace and read lists. A list-limited admin key sees only its lists. */
export const listRoutes = new Hono<AppEnv>();
const admin = requireKey({ scope: 'admin' });

listRoutes.get('/', admin, async (c) => {
  const allowed = principalOf(c).lists;
  const rows = await allLists(c.get('deps').db);
  return c.json({ data: rows.filter((l) => !allowed || allowed.includes(l.slug)).map(listView) });
});

listRoutes.get('/:list', admin, async (c) => c.json(listView(await requireList(c))));

listRoutes.put('/:list', admin, async (c) => {
  const slug = c.req.param('list');
  if (!LIST_SLUG.test(slug)) {
    throw invalidInput([{ field: 'list', code: 'invalid_string', message: 'a slug is 1-63 of a-z, 0-9 and "-", starting with a letter or digit' }]);
  }
  const input = validate(listSettingsSchema, await readBody(c));
  const { list, created } = await saveList(c.get('deps'), slug, input, principalOf(c).id);
  return c.json(listView(list), created ? 201 : 200);
});

listRoutes.delete('/:list', admin, async (c) => {
  await removeList(c.get('deps'), await requireList(c), principalOf(c).id);
  return c.body(null, 204);
});
