import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from '../deps';
import type { List } from '../db/types';
import { findList, findRecentList } from '../db/queries/lists';
import { LIST_SLUG } from '../domain/list-settings';
import { ApiError } from '../errors';

/**
 * The list the route's `:list` names, looked up once per request (the CORS check, the handler and
 * the error page share it). Unknown or malformed slugs answer 404.
 */
export async function requireList(c: Context<AppEnv>): Promise<List> {
  const known = c.get('list');
  if (known) return known;
  const slug = c.req.param('list') ?? '';
  const list = LIST_SLUG.test(slug) ? await findList(c.get('deps').db, slug) : undefined;
  if (!list) throw new ApiError('not_found', 'There is no such list.');
  c.set('list', list);
  return list;
}

/** Like requireList, but answers undefined for an unknown list. */
export const listOfRequest = (c: Context<AppEnv>): Promise<List | undefined> => requireList(c).catch(() => undefined);

/**
 * For the signup post only: its list from a recent read (findRecentList), so that a flood of
 * signups does not read the list's row once each. An unknown list is left to requireList (404).
 */
export const recentList: MiddlewareHandler<AppEnv> = async function recentList(c, next) {
  const slug = c.req.param('list') ?? '';
  if (c.req.method === 'POST' && LIST_SLUG.test(slug)) {
    const deps = c.get('deps');
    const list = await findRecentList(deps.db, slug, deps.clock.now());
    if (list) c.set('list', list);
  }
  await next();
};
