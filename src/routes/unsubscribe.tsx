import { Hono, type Context } from 'hono';
import type { AppEnv } from '../deps';
import { findListById } from '../db/queries/lists';
import { findByUnsubToken, unsubscribeByToken } from '../db/queries/subscriptions';
import { ApiError } from '../errors';
import { readBody, wantsJson } from '../http';
import { actionRateLimit } from '../middleware/rate-limit';
import { pickLang } from '../pages/i18n';
import { ActionPage, MessagePage } from '../pages/pages';

const UNSUB_TOKEN = /^u_[A-Za-z0-9_-]{32}$/;

export const unsubscribeRoutes = new Hono<AppEnv>();

// RFC 8058 one-click posts come from mailbox providers' shared servers: a busy send would see
// many from one address, and a dropped one-click is a compliance failure. Their tokens are 192
// random bits, so there is nothing to guess; everything else shares the action limit.
unsubscribeRoutes.use(
  '/unsubscribe',
  actionRateLimit({
    skip: async (c) =>
      (c.req.header('content-type') ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded') &&
      (await c.req.text()).trim() === 'List-Unsubscribe=One-Click',
  }),
);

function tokenOf(value: unknown): string {
  if (typeof value !== 'string' || !UNSUB_TOKEN.test(value)) throw new ApiError('invalid_token', 'This unsubscribe link is not valid.');
  return value;
}

async function langOf(c: Context<AppEnv>, listId: number | undefined) {
  const list = listId !== undefined ? await findListById(c.get('deps').db, listId) : undefined;
  return { list, lang: pickLang(list?.language, c.req.header('accept-language')) };
}

unsubscribeRoutes.get('/unsubscribe', async (c) => {
  const token = tokenOf(c.req.query('token'));
  const row = await findByUnsubToken(c.get('deps').db, token);
  if (!row) throw new ApiError('invalid_token', 'This unsubscribe link is not valid.');
  const { list, lang } = await langOf(c, row.listId);
  return c.html(
    <ActionPage lang={lang} list={list?.name} action={`/unsubscribe?token=${token}`} token={token} title="unsubscribeTitle" body="unsubscribeBody" button="unsubscribeButton" />,
  );
});

// RFC 8058 one-click (body List-Unsubscribe=One-Click) and the page's form both land here.
unsubscribeRoutes.post('/unsubscribe', async (c) => {
  const deps = c.get('deps');
  const body = await readBody(c, { allowEmpty: true });
  const token = tokenOf(c.req.query('token') ?? body.token);
  const oneClick = body['List-Unsubscribe'] === 'One-Click';
  // Mailbox providers send one-click POSTs for many people from few addresses: never limit those.
  const result = await unsubscribeByToken(deps.db, token, deps.clock.now(), oneClick ? 'one-click' : 'page');
  if (result.outcome === 'unknown') throw new ApiError('invalid_token', 'This unsubscribe link is not valid.');
  if (wantsJson(c)) return c.json({ status: 'unsubscribed' }, 200);
  const { list, lang } = await langOf(c, result.listId);
  return c.html(<MessagePage lang={lang} title="unsubscribedTitle" body="unsubscribedBody" list={list?.name ?? ''} />, 200);
});
