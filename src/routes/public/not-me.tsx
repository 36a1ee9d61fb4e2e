import { Hono } from 'hono';
import type { AppEnv } from '../../deps';
import { wantsJson } from '../../http/request';
import { actionRateLimit } from '../../middleware/rate-limit';
import { ActionPage, MessagePage } from '../../pages/pages';
import { verifyLink } from '../../services/confirm';
import { notMe } from '../../services/not-me';
import { tokenFromRequest } from './confirm';
import { pageContext } from './page-lang';

/** The "this wasn't me" link of a confirmation mail: a page with a button, whose POST suppresses the mailbox. */
export const notMeRoutes = new Hono<AppEnv>();
notMeRoutes.use('*', actionRateLimit());

notMeRoutes.get('/', async (c) => {
  const token = c.req.query('token');
  const claims = await verifyLink(c.get('deps'), token, 'not_me');
  const { lang } = await pageContext(c, { slug: claims.list });
  return c.html(<ActionPage lang={lang} action="/not-me" token={token!} title="notMeTitle" body="notMeBody" button="notMeButton" />);
});

notMeRoutes.post('/', async (c) => {
  const { list } = await notMe(c.get('deps'), await tokenFromRequest(c));
  if (wantsJson(c)) return c.json({ status: 'suppressed' }, 200);
  const { lang } = await pageContext(c, { slug: list });
  return c.html(<MessagePage lang={lang} title="notMeDoneTitle" body="notMeDoneBody" />);
});
