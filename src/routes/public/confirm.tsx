import { Hono, type Context } from 'hono';
import type { AppEnv } from '../../deps';
import { clientIp, readBody, wantsJson } from '../../http/request';
import { actionRateLimit } from '../../middleware/rate-limit';
import { ActionPage, MessagePage } from '../../pages/pages';
import { confirm, verifyLink } from '../../services/confirm';
import { pageContext } from './page-lang';

/** A link's token: the query parameter, else a form or JSON field (a non-string is a malformed token). */
export async function tokenFromRequest(c: Context<AppEnv>): Promise<unknown> {
  const fromQuery = c.req.query('token');
  if (fromQuery) return fromQuery;
  return (await readBody(c, { allowEmpty: true })).token;
}

/** GET /confirm shows a button and changes nothing (mail scanners fetch links); POST /confirm confirms. */
export const confirmRoutes = new Hono<AppEnv>();
confirmRoutes.use('*', actionRateLimit());

confirmRoutes.get('/', async (c) => {
  const token = c.req.query('token');
  const claims = await verifyLink(c.get('deps'), token, 'confirm');
  const { list, lang } = await pageContext(c, { slug: claims.list });
  return c.html(<ActionPage lang={lang} list={list?.name} action="/confirm" token={token!} title="confirmTitle" body="confirmBody" button="confirmButton" />);
});

confirmRoutes.post('/', async (c) => {
  const result = await confirm(c.get('deps'), await tokenFromRequest(c), { ip: clientIp(c), userAgent: c.req.header('user-agent')?.slice(0, 500) ?? null });
  if (wantsJson(c)) return c.json({ status: 'confirmed' }, 200);
  // Only a browser is redirected, so only a browser needs the list's settings.
  const { list } = await pageContext(c, { id: result.listId });
  if (list?.redirectConfirmed) return c.redirect(list.redirectConfirmed, 303);
  return c.redirect(`/confirmed?list=${encodeURIComponent(result.list)}`, 303);
});

/** The hosted "you are subscribed" page a browser lands on when the list names no redirect. */
export const confirmedRoutes = new Hono<AppEnv>();

confirmedRoutes.get('/', async (c) => {
  const { list, lang } = await pageContext(c, { slug: c.req.query('list') ?? '' });
  return c.html(<MessagePage lang={lang} title="confirmedTitle" body="confirmedBody" list={list?.name ?? ''} />);
});
