import type { Context } from 'hono';
import { Hono } from 'hono';
import type { ConsoleEnv } from '../../deps';
import { allLists, findList } from '../../db/queries/lists';
import { LIST_SLUG, listSettingsSchema } from '../../domain/list-settings';
import { ApiError, validate } from '../../errors';
import { tc } from '../../i18n/console';
import { OverviewPage } from '../../pages/admin/overview';
import { saveList } from '../../services/lists';
import { listDailyStats, listStats, STATS_WINDOW_DAYS } from '../../services/stats';
import { actor, formFields, maySee, requireUnlimited, view } from './view';

/** Every list the signed-in key may see, with its stats and 30 days of daily rows (O(days) each). */
async function overviewLists(c: Context<ConsoleEnv>) {
  const deps = c.get('deps');
  const lists = (await allLists(deps.db)).filter((l) => maySee(c, l.slug));
  return Promise.all(lists.map(async (list) => ({ list, stats: await listStats(deps, list), daily: await listDailyStats(deps, list, STATS_WINDOW_DAYS) })));
}

/** GET /admin: the lists; POST /admin/lists: a new list (a key not limited to lists). */
export const overviewRoutes = new Hono<ConsoleEnv>();

overviewRoutes.get('/', async (c) => {
  const deleted = c.req.query('deleted');
  const notice = deleted && LIST_SLUG.test(deleted) ? tc(c.get('lang'), 'listDeleted', { list: deleted }) : undefined;
  return c.html(<OverviewPage v={await view(c)} lists={await overviewLists(c)} notice={notice} />);
});

overviewRoutes.post('/lists', async (c) => {
  requireUnlimited(c);
  const deps = c.get('deps');
  const lang = c.get('lang');
  const draft = { slug: '', name: '', ...(await formFields(c)) };
  const again = async (problem: string, status: 409 | 422) =>
    c.html(<OverviewPage v={await view(c, '/admin')} lists={await overviewLists(c)} problem={problem} draft={draft} />, status);
  if (!LIST_SLUG.test(draft.slug)) return again(tc(lang, 'slugInvalid'), 422);
  if (await findList(deps.db, draft.slug)) return again(tc(lang, 'listExists'), 409);
  let settings;
  try {
    settings = validate(listSettingsSchema, { name: draft.name });
  } catch (err) {
    if (err instanceof ApiError) return again(err.detail, 422);
    throw err;
  }
  await saveList(deps, draft.slug, settings, actor(c));
  return c.redirect(`/admin/lists/${draft.slug}?created=1`, 303);
});
