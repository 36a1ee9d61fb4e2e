import type { Context } from 'hono';
import { Hono } from 'hono';
import type { ConsoleEnv } from '../../deps';
import { findList } from '../../db/queries/lists';
import { ApiError } from '../../errors';
import { tc } from '../../i18n/console';
import { ConfirmPage } from '../../pages/admin/confirm';
import { LookupPage } from '../../pages/admin/lookup';
import { erase, namedAddress } from '../../services/suppressions';
import { deliveryHistory, lookupSubscriber } from '../../services/subscribers';
import { unsubscribeByOperator } from '../../services/unsubscribe';
import { actor, formFields, maySee, requireUnlimited, view } from './view';

const HERE = '/admin/subscribers';

/**
 * The lookup's answer page. Addresses travel only in form bodies (never in a URL, where logs and
 * history would keep them), so every step answers with this page rather than a redirect.
 */
async function lookupPage(c: Context<ConsoleEnv>, email: string, notice?: string) {
  const deps = c.get('deps');
  const principal = c.get('session')!.principal;
  const v = await view(c, HERE);
  try {
    const lookup = await lookupSubscriber(deps, email, principal);
    const deliveries = await deliveryHistory(deps, email, principal);
    return c.html(<LookupPage v={v} email={email} found={{ lookup, deliveries }} notice={notice} />);
  } catch (err) {
    if (!(err instanceof ApiError) || (err.code !== 'not_found' && err.code !== 'invalid_input')) throw err;
    const problem = err.code === 'not_found' ? tc(v.lang, 'notFound') : err.detail;
    return c.html(<LookupPage v={v} email={email} problem={problem} notice={notice} />, err.status as 404 | 422);
  }
}

/** /admin/subscribers: look up an address, take it off a list, erase it (after a confirmation step). */
export const subscriberRoutes = new Hono<ConsoleEnv>();

subscriberRoutes.get('/', async (c) => c.html(<LookupPage v={await view(c)} />));

subscriberRoutes.post('/', async (c) => lookupPage(c, (await formFields(c)).email?.trim() ?? ''));

subscriberRoutes.post('/unsubscribe', async (c) => {
  const deps = c.get('deps');
  const { email = '', list: slug = '' } = await formFields(c);
  if (!maySee(c, slug)) throw new ApiError('forbidden', 'The key is not allowed on this list.');
  const list = await findList(deps.db, slug);
  if (!list) throw new ApiError('not_found', 'There is no such list.');
  const { key } = await namedAddress(deps, email);
  await unsubscribeByOperator(deps, list, key, actor(c));
  return lookupPage(c, email, tc(c.get('lang'), 'unsubscribed_done', { list: list.name }));
});

/** Without `confirm`: the page that names the consequences. With it: the erasure itself. */
subscriberRoutes.post('/erase', async (c) => {
  requireUnlimited(c);
  const deps = c.get('deps');
  const lang = c.get('lang');
  const { email = '', confirm } = await formFields(c);
  if (confirm === 'erase') {
    const { lists } = await erase(deps, email, actor(c));
    return c.html(<LookupPage v={await view(c, HERE)} notice={tc(lang, 'erased', { count: lists })} />);
  }
  await namedAddress(deps, email);
  const { subscriptions } = await lookupSubscriber(deps, email, c.get('session')!.principal).catch(() => ({ subscriptions: [] }));
  const names = [...new Set(subscriptions.map((s) => s.list_name))].join(', ') || '–';
  return c.html(
    <ConfirmPage
      v={await view(c, HERE)}
      section="lookup"
      title={tc(lang, 'eraseConfirmTitle', { email })}
      consequences={tc(lang, 'eraseConsequences', { lists: names })}
      action="/admin/subscribers/erase"
      hidden={{ email, confirm: 'erase' }}
      button={tc(lang, 'eraseConfirm')}
      cancel={HERE}
    />,
  );
});
