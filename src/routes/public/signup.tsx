import { Hono } from 'hono';
import * as z from 'zod';
import type { AppEnv } from '../../deps';
import { ApiError, validate, type FieldError } from '../../errors';
import { clientIp, readBody, wantsJson } from '../../http/request';
import { t, pickLang } from '../../i18n/messages';
import { recentList, requireList, listOfRequest } from '../../middleware/list';
import { listCors } from '../../middleware/list-cors';
import { enforceLimits, rateKeyOf } from '../../middleware/rate-limit';
import { contentSecurityPolicy } from '../../middleware/security-headers';
import { CheckInboxPage, SignupPage } from '../../pages/pages';
import { inboxForProvider, inboxForSignup, senderAddress } from '../../services/inbox';
import { signUp } from '../../services/signup';

/** Control characters never belong in a name; they would also be a header-injection vector. */
const noControls = (s: string) => !/[\u0000-\u001f\u007f\u2028\u2029]/.test(s);

const signupSchema = z.object({
  email: z.unknown(),
  name: z.string().max(200, 'at most 200 characters').refine(noControls, 'must not contain control characters').nullish(),
  source: z.string().max(2000, 'at most 2000 characters').refine(noControls, 'must not contain control characters').nullish(),
  _gotcha: z.unknown().optional(),
  'cf-turnstile-response': z.string().max(4096).optional(),
});

/** Any non-empty value marks a bot; `""`, null and absent are a person. */
const honeypotFilled = (v: unknown) => (typeof v === 'string' ? v.length > 0 : v !== undefined && v !== null && v !== false);

/** A list's hosted signup page, the form post (form, multipart or JSON) and the "check your inbox" page. */
export const signupRoutes = new Hono<AppEnv>();

signupRoutes.use('/:list/subscribe', recentList, listCors());

// A browser post that fails validation or the rate limit gets the signup form back, in the list's
// language, with what was typed, the problem and any "Did you mean" fix (same status code as JSON).
signupRoutes.use('/:list/subscribe', async function signupProblemsAsForm(c, next) {
  await next();
  const err = c.error;
  if (c.req.method !== 'POST' || !(err instanceof ApiError) || wantsJson(c)) return;
  if (err.code !== 'invalid_input' && err.code !== 'rate_limited') return;
  const list = await listOfRequest(c);
  if (!list) return;
  const lang = list.language;
  const fields = await readBody(c).catch(() => ({}) as Record<string, unknown>);
  const text = (v: unknown) => (typeof v === 'string' ? v.slice(0, 254) : undefined);
  const first = (err.extra.errors as FieldError[] | undefined)?.[0];
  const suggestion = typeof err.extra.suggestion === 'string' ? err.extra.suggestion : undefined;
  const message =
    err.code === 'rate_limited' ? t(lang, 'rateLimitedBody') : lang === 'en' && first && first.code !== 'typo' ? first.message : t(lang, 'invalidEmail');
  const page = <SignupPage lang={lang} list={list} problem={{ message, suggestion }} email={text(fields.email)} name={text(fields.name)} />;
  const headers = Object.fromEntries(['Retry-After', 'X-Request-Id', 'Vary', 'Access-Control-Allow-Origin'].flatMap((h) => {
    const v = c.res.headers.get(h);
    return v ? [[h, v]] : [];
  }));
  c.res = undefined;
  c.res = await c.html(page, err.status as 422 | 429, headers);
});

signupRoutes.get('/:list', async (c) => {
  const list = await requireList(c);
  if (list.turnstileSiteKey) c.header('Content-Security-Policy', contentSecurityPolicy({ embed: true, turnstile: true }));
  return c.html(<SignupPage lang={pickLang(list.language, c.req.header('accept-language'))} list={list} />);
});

/**
 * No signup is answered sooner than this after it arrived. The statements are the same for every
 * address, but SQLite has rows to write for a new one and nothing to change for one already on the
 * list: one request at a time a new address took about 0.25 ms longer (`bench/timing.ts`: medians
 * 1.0 against 0.75 ms; in process 0.57 against 0.31 ms), enough to tell who is on a list once
 * signing and rendering had left the request. Waiting out a floor above what an answer takes gives
 * both the same time (in process 5.28 against 5.25 ms); under load answers take longer than the
 * floor anyway, so there it costs nothing (a timer, no work).
 */
export const SIGNUP_ANSWER_FLOOR_MS = 5;

/**
 * Waits until `floorMs` have passed since `since`. Node's timers count on the event loop's clock,
 * which may lag a fraction of a millisecond: a timer that fires a little early is followed by the rest.
 */
async function answerNoSoonerThan(since: number, floorMs: number) {
  for (let left = floorMs - (performance.now() - since); left > 0.05; left = floorMs - (performance.now() - since)) {
    await new Promise((r) => setTimeout(r, left));
  }
}

signupRoutes.post('/:list/subscribe', async (c) => {
  const arrived = performance.now();
  const deps = c.get('deps');
  const { config } = deps;
  const list = await requireList(c);
  const json = wantsJson(c);
  const fields = await readBody(c);
  // The same answer whatever the address's state (and for the honeypot): the webmail link depends
  // only on the address's provider. A browser's "check your inbox" page gets the provider, never the address.
  const accepted = async (address?: { domain: string }) => {
    await answerNoSoonerThan(arrived, SIGNUP_ANSWER_FLOOR_MS);
    const inbox = inboxForSignup(deps, list, fields.email, address);
    if (json) return c.json(inbox ? { status: 'pending', inbox: { name: inbox.name, url: inbox.url } } : { status: 'pending' }, 202);
    return c.redirect(list.redirectPending ?? `/lists/${list.slug}/check-inbox${inbox ? `?provider=${inbox.id}` : ''}`, 303);
  };

  // Limits come before the honeypot: a trap must answer exactly like a real signup would,
  // and a real signup over the limit gets 429.
  const ip = clientIp(c);
  await enforceLimits(
    c,
    [{ key: `signup:${list.id}:${rateKeyOf(ip)}`, limit: { burst: config.RATE_LIMIT_SIGNUP_BURST, perMinute: config.RATE_LIMIT_SIGNUP_PER_MINUTE } }],
    'Too many signups from here. Try again later.',
  );

  // A bot that fills the hidden field is told "done" and nothing is stored.
  if (honeypotFilled(fields._gotcha)) return accepted();

  const input = validate(signupSchema, fields);
  const address = await signUp(deps, list, {
    email: input.email,
    name: input.name?.trim() || null,
    source: (input.source || c.req.header('referer') || c.req.header('origin') || null)?.slice(0, 2000) ?? null,
    captcha: input['cf-turnstile-response'],
    ip,
    userAgent: c.req.header('user-agent')?.slice(0, 500) ?? null,
  });
  return accepted(address);
});

signupRoutes.get('/:list/check-inbox', async (c) => {
  const deps = c.get('deps');
  const list = await requireList(c);
  const inbox = inboxForProvider(deps, list, c.req.query('provider'));
  return c.html(<CheckInboxPage lang={list.language} list={list.name} sender={senderAddress(deps, list)} inbox={inbox} />);
});
