import type { Context } from 'hono';
import { Hono } from 'hono';
import type { ConsoleEnv } from '../../deps';
import type { List } from '../../db/types';
import { listSettingsSchema } from '../../domain/list-settings';
import { ApiError, validate } from '../../errors';
import { tc } from '../../i18n/console';
import { type ListPageData, ListPage } from '../../pages/admin/list-page';
import { ConfirmPage } from '../../pages/admin/confirm';
import { embedSnippet } from '../../pages/snippet';
import { listHistory, recentListChanges } from '../../services/list-activity';
import { removeList, saveList } from '../../services/lists';
import { sendTestMail } from '../../services/mail-preview';
import { listDailyStats, listFunnel, listStats } from '../../services/stats';
import { errorsByField, formOfList, formOfSubmission, settingsOfForm } from './settings-form';
import { actor, consoleList, formFields, requireUnlimited, view } from './view';

/** Everything a list's page shows, read through the services (O(days) whatever the list size). */
async function pageData(c: Context<ConsoleEnv>, list: List, extra: Partial<ListPageData>): Promise<ListPageData> {
  const deps = c.get('deps');
  const days = c.req.query('days') === '90' ? 90 : 30;
  const [stats, funnel, daily, changes, history] = await Promise.all([
    listStats(deps, list),
    listFunnel(deps, list, days),
    listDailyStats(deps, list, days),
    recentListChanges(deps, list),
    listHistory(deps, list),
  ]);
  const { PUBLIC_URL } = deps.config;
  return { list, hostedUrl: `${PUBLIC_URL}/lists/${list.slug}`, days, stats, funnel, daily, changes, history, snippet: embedSnippet(PUBLIC_URL, list), form: formOfList(list), ...extra };
}

const render = async (c: Context<ConsoleEnv>, list: List, extra: Partial<ListPageData> = {}, status: 200 | 422 | 429 = 200) =>
  c.html(<ListPage v={await view(c, `/admin/lists/${list.slug}`)} data={await pageData(c, list, extra)} />, status);

/** A list's page and what its forms do: /admin/lists/:list[/settings|/test-mail|/delete]. The preview is in preview.tsx. */
export const listRoutes = new Hono<ConsoleEnv>();

listRoutes.get('/:list', async (c) => {
  const list = await consoleList(c);
  const lang = c.get('lang');
  return render(c, list, { notice: c.req.query('created') ? tc(lang, 'listCreated') : undefined, saved: !!c.req.query('saved') });
});

listRoutes.post('/:list/settings', async (c) => {
  const list = await consoleList(c);
  const fields = await formFields(c);
  try {
    const input = validate(listSettingsSchema, settingsOfForm(fields, list));
    await saveList(c.get('deps'), list.slug, input, actor(c));
  } catch (err) {
    if (!(err instanceof ApiError) || err.code !== 'invalid_input') throw err;
    const errors = errorsByField((err.extra.errors as Parameters<typeof errorsByField>[0]) ?? []);
    return render(c, list, { form: formOfSubmission(fields, list, errors) }, 422);
  }
  return c.redirect(`/admin/lists/${list.slug}?saved=1#settings`, 303);
});

listRoutes.post('/:list/test-mail', async (c) => {
  requireUnlimited(c);
  const list = await consoleList(c);
  const to = (await formFields(c)).to ?? '';
  try {
    const sent = await sendTestMail(c.get('deps'), list, to, actor(c));
    return render(c, list, { notice: tc(c.get('lang'), 'testMailQueued', { to: sent.to }) });
  } catch (err) {
    if (!(err instanceof ApiError) || (err.code !== 'invalid_input' && err.code !== 'rate_limited')) throw err;
    for (const [k, v] of Object.entries(err.headers)) c.header(k, v);
    return render(c, list, { testMail: { to, error: err.detail } }, err.code === 'rate_limited' ? 429 : 422);
  }
});

const deletePage = async (c: Context<ConsoleEnv>, list: List, problem?: string) => {
  const lang = c.get('lang');
  const vars = { list: list.name, slug: list.slug, confirmed: list.countConfirmed, pending: list.countPending };
  return c.html(
    <ConfirmPage
      v={await view(c, `/admin/lists/${list.slug}/delete`)}
      section="lists"
      title={tc(lang, 'deleteConfirmTitle', vars)}
      consequences={tc(lang, 'deleteConsequences', vars)}
      action={`/admin/lists/${list.slug}/delete`}
      hidden={{}}
      typed={{ label: tc(lang, 'deleteTypeSlug', vars) }}
      button={tc(lang, 'deleteButton')}
      cancel={`/admin/lists/${list.slug}`}
      problem={problem}
    />,
    problem ? 422 : 200,
  );
};

listRoutes.get('/:list/delete', async (c) => deletePage(c, await consoleList(c)));

listRoutes.post('/:list/delete', async (c) => {
  const list = await consoleList(c);
  if ((await formFields(c)).confirm?.trim() !== list.slug) return deletePage(c, list, tc(c.get('lang'), 'deleteSlugMismatch'));
  await removeList(c.get('deps'), list, actor(c));
  return c.redirect(`/admin?deleted=${list.slug}`, 303);
});
