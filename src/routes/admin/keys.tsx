import { Hono } from 'hono';
import type { Context } from 'hono';
import * as z from 'zod';
import type { ConsoleEnv } from '../../deps';
import { LIST_SLUG } from '../../domain/list-settings';
import { ApiError, validate } from '../../errors';
import { tc } from '../../i18n/console';
import { KeysPage, NewKeyPage } from '../../pages/admin/keys';
import { createKey, keyView, listKeys, revokeKey } from '../../services/keys';
import { actor, formFields, unlimitedOnly, view } from './view';

const HERE = '/admin/keys';

/** The same rules as POST /v1/keys: at least one scope; lists are slugs (none: every list); a name up to 100. */
const newKey = z.object({
  scopes: z.array(z.enum(['export', 'events', 'admin'])).min(1, 'choose at least one scope'),
  lists: z.array(z.string().regex(LIST_SLUG, 'must be a list slug')).max(100).nullable(),
  name: z.string().trim().max(100).nullable(),
});

const page = async (c: Context<ConsoleEnv>, extra: { notice?: string; problem?: string } = {}, status: 200 | 422 = 200) =>
  c.html(<KeysPage v={await view(c, HERE)} keys={(await listKeys(c.get('deps'))).map(keyView).reverse()} {...extra} />, status);

/** /admin/keys: keys span lists, so only a key that is not limited to lists sees them. */
export const keyRoutes = new Hono<ConsoleEnv>();
keyRoutes.use('*', unlimitedOnly);

keyRoutes.get('/', async (c) => page(c));

keyRoutes.post('/', async (c) => {
  const f = await formFields(c);
  try {
    const lists = (f.lists ?? '').split(/[\s,]+/).filter(Boolean);
    const input = validate(newKey, { scopes: (['export', 'events', 'admin'] as const).filter((s) => f[`scope_${s}`] === '1'), lists: lists.length ? lists : null, name: f.name?.trim() || null });
    const { row, key } = await createKey(c.get('deps'), input, actor(c));
    return c.html(<NewKeyPage v={await view(c, HERE)} secret={key} row={keyView(row)} />);
  } catch (err) {
    if (!(err instanceof ApiError) || err.code !== 'invalid_input') throw err;
    return page(c, { problem: err.detail }, 422);
  }
});

keyRoutes.post('/:id/revoke', async (c) => {
  const row = await revokeKey(c.get('deps'), c.req.param('id'), actor(c));
  if (!row) throw new ApiError('not_found', 'No key has this id.');
  // Revoking the key this session stands on ends the session: the next page asks to sign in.
  return page(c, { notice: tc(c.get('lang'), 'keyRevoked', { key: `${row.prefix}…` }) });
});
