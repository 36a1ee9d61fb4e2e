import { Hono, type Context } from 'hono';
import { eq } from 'drizzle-orm';
import type { AppEnv } from '../deps';
import { findList, findListById } from '../db/queries/lists';
import { confirmSignup } from '../db/queries/subscriptions';
import { suppressAddress, suppressHash } from '../db/queries/suppressions';
import { subscriptions } from '../db/schema';
import { addressHash } from '../domain/ids';
import type { TokenPurpose } from '../domain/tokens';
import { ApiError } from '../errors';
import { clientIp, readBody, wantsJson } from '../http';
import { actionRateLimit } from '../middleware/rate-limit';
import { pickLang } from '../pages/i18n';
import { ActionPage, MessagePage } from '../pages/pages';

export const confirmRoutes = new Hono<AppEnv>();

confirmRoutes.use('/confirm', actionRateLimit());
confirmRoutes.use('/not-me', actionRateLimit());

/** Verifies a token of `purpose`, mapping failures to the contract's 400 (malformed/forged) and 410 (expired). */
async function verified(c: Context<AppEnv>, token: unknown, purpose: TokenPurpose) {
  const result = await c.get('deps').tokens.verify(typeof token === 'string' ? token : '', purpose);
  if (result.ok) return result.claims;
  if (result.reason === 'expired') throw new ApiError('gone', 'This link has expired. Sign up again to get a new one.');
  throw new ApiError('invalid_token', 'This link is not valid.');
}

async function tokenFromRequest(c: Context<AppEnv>): Promise<unknown> {
  const fromQuery = c.req.query('token');
  if (fromQuery) return fromQuery;
  const body = await readBody(c, { allowEmpty: true });
  // A token that is not a string is a malformed token: the contract's 400, like any other.
  return body.token;
}

async function listLang(c: Context<AppEnv>, slug: string) {
  const list = await findList(c.get('deps').db, slug);
  return { list, lang: pickLang(list?.language, c.req.header('accept-language')) };
}

confirmRoutes.get('/confirm', async (c) => {
  const token = c.req.query('token');
  const claims = await verified(c, token, 'confirm');
  const { list, lang } = await listLang(c, claims.list);
  return c.html(
    <ActionPage lang={lang} list={list?.name} action="/confirm" token={token!} title="confirmTitle" body="confirmBody" button="confirmButton" />,
  );
});

confirmRoutes.post('/confirm', async (c) => {
  const deps = c.get('deps');
  const claims = await verified(c, await tokenFromRequest(c), 'confirm');
  const result = await confirmSignup(deps.db, claims.signup, {
    now: deps.clock.now(),
    ip: clientIp(c),
    userAgent: c.req.header('user-agent')?.slice(0, 500) ?? null,
  });
  if (result.outcome === 'gone') throw new ApiError('gone', 'This signup is no longer active. Sign up again to subscribe.');
  if (wantsJson(c)) return c.json({ status: 'confirmed' }, 200);
  // Only a browser is redirected, so only a browser needs the list's settings.
  const list = result.listId !== undefined ? await findListById(deps.db, result.listId) : undefined;
  if (list?.redirectConfirmed) return c.redirect(list.redirectConfirmed, 303);
  return c.redirect(`/confirmed?list=${encodeURIComponent(claims.list)}`, 303);
});

confirmRoutes.get('/confirmed', async (c) => {
  const { list, lang } = await listLang(c, c.req.query('list') ?? '');
  return c.html(<MessagePage lang={lang} title="confirmedTitle" body="confirmedBody" list={list?.name ?? ''} />);
});

// "This wasn't me": a bombing victim stops every further mail with one press.
confirmRoutes.get('/not-me', async (c) => {
  const token = c.req.query('token');
  const claims = await verified(c, token, 'not_me');
  const { lang } = await listLang(c, claims.list);
  return c.html(<ActionPage lang={lang} action="/not-me" token={token!} title="notMeTitle" body="notMeBody" button="notMeButton" />);
});

confirmRoutes.post('/not-me', async (c) => {
  const deps = c.get('deps');
  const claims = await verified(c, await tokenFromRequest(c), 'not_me');
  const row = await deps.db
    .select({ key: subscriptions.key, email: subscriptions.email })
    .from(subscriptions)
    .where(eq(subscriptions.signupId, claims.signup))
    .get();
  const source = `not-me link (list ${claims.list})`;
  if (row) {
    await suppressAddress(deps.atomic, {
      key: row.key,
      email: row.email,
      hash: await addressHash(deps.hashKey, row.key),
      reason: 'not_me',
      source,
      now: deps.clock.now(),
    });
  } else if (claims.address) {
    // The unconfirmed signup expired and was deleted; the victim may click days later.
    await suppressHash(deps.db, { hash: claims.address, reason: 'not_me', source, now: deps.clock.now() });
  }
  if (wantsJson(c)) return c.json({ status: 'suppressed' }, 200);
  const { lang } = await listLang(c, claims.list);
  return c.html(<MessagePage lang={lang} title="notMeDoneTitle" body="notMeDoneBody" />);
});
