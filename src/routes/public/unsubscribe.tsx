import { Hono } from 'hono';
import type { AppEnv } from '../../deps';
import { readBody, wantsJson } from '../../http/request';
import { actionRateLimit } from '../../middleware/rate-limit';
import { ActionPage, MessagePage } from '../../pages/pages';
import { unsubscribeByLink, unsubscribeLinkList, unsubscribeToken } from '../../services/unsubscribe';
import { pageContext } from './page-lang';

/** The export's unsubscribe_url: a page with a button (GET changes nothing) and RFC 8058 one-click POSTs. */
export const unsubscribeRoutes = new Hono<AppEnv>();

// RFC 8058 one-click posts come from mailbox providers' shared servers: a busy send would see
// many from one address, and a dropped one-click is a compliance failure. Their tokens are 192
// random bits, so there is nothing to guess; everything else shares the action limit.
unsubscribeRoutes.use(
  '*',
  actionRateLimit({
    skip: async (c) =>
      (c.req.header('content-type') ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded') &&
      (await c.req.text()).trim() === 'List-Unsubscribe=One-Click',
  }),
);

unsubscribeRoutes.get('/', async (c) => {
  const token = unsubscribeToken(c.req.query('token'));
  const { list, lang } = await pageContext(c, { id: await unsubscribeLinkList(c.get('deps'), token) });
  return c.html(
    <ActionPage lang={lang} list={list?.name} action={`/unsubscribe?token=${token}`} token={token} title="unsubscribeTitle" body="unsubscribeBody" button="unsubscribeButton" />,
  );
});

// RFC 8058 one-click (body List-Unsubscribe=One-Click) and the page's form both land here.
unsubscribeRoutes.post('/', async (c) => {
  const body = await readBody(c, { allowEmpty: true });
  const oneClick = body['List-Unsubscribe'] === 'One-Click';
  const { listId } = await unsubscribeByLink(c.get('deps'), c.req.query('token') ?? body.token, oneClick ? 'one-click' : 'page');
  if (wantsJson(c)) return c.json({ status: 'unsubscribed' }, 200);
  const { list, lang } = await pageContext(c, { id: listId });
  return c.html(<MessagePage lang={lang} title="unsubscribedTitle" body="unsubscribedBody" list={list?.name ?? ''} />, 200);
});
