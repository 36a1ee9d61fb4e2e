import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../deps';
import { findSignupTarget, writeSignup } from '../db/queries/subscriptions';
import { parseAddress } from '../domain/address';
import { addressHash, randomTokens } from '../domain/ids';
import { ApiError, invalidInput, validate, type FieldError } from '../errors';
import { clientIp, readBody, wantsJson } from '../http';
import { enforceLimits, rateKeyOf } from '../middleware/rate-limit';
import { contentSecurityPolicy } from '../middleware/security-headers';
import { renderConfirmation } from '../mail/templates';
import { listCors } from './cors';
import { checkAddressPolicy, verifyCaptcha } from './signup-guards';
import { MessagePage, SignupPage } from '../pages/pages';
import { pickLang, t } from '../pages/i18n';
import { listOfRequest, requireList } from './list-param';

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

export const subscribeRoutes = new Hono<AppEnv>();

subscribeRoutes.use('/lists/:list/subscribe', listCors());

// A browser post that fails validation or the rate limit gets the signup form back, in the list's
// language, with what was typed, the problem and any "Did you mean" fix (same status code as JSON).
subscribeRoutes.use('/lists/:list/subscribe', async function signupProblemsAsForm(c, next) {
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

subscribeRoutes.get('/lists/:list', async (c) => {
  const list = await requireList(c);
  if (list.turnstileSiteKey) c.header('Content-Security-Policy', contentSecurityPolicy({ embed: true, turnstile: true }));
  return c.html(<SignupPage lang={pickLang(list.language, c.req.header('accept-language'))} list={list} />);
});

subscribeRoutes.post('/lists/:list/subscribe', async (c) => {
  const deps = c.get('deps');
  const { config, clock } = deps;
  const list = await requireList(c);
  const json = wantsJson(c);
  const fields = await readBody(c);
  const accepted = () =>
    json ? c.json({ status: 'pending' }, 202) : c.redirect(list.redirectPending ?? `/lists/${list.slug}/check-inbox`, 303);

  // Limits come before the honeypot: a trap must answer exactly like a real signup would,
  // and a real signup over the limit gets 429.
  const ip = clientIp(c);
  await enforceLimits(
    c,
    [
      { key: `signup:${list.id}:${rateKeyOf(ip)}`, limit: { burst: config.RATE_LIMIT_SIGNUP_BURST, perMinute: config.RATE_LIMIT_SIGNUP_PER_MINUTE } },
      { key: `signup-list:${list.id}`, limit: { burst: config.RATE_LIMIT_LIST_PER_MINUTE, perMinute: config.RATE_LIMIT_LIST_PER_MINUTE } },
    ],
    'Too many signups from here. Try again later.',
  );

  // A bot that fills the hidden field is told "done" and nothing is stored.
  if (honeypotFilled(fields._gotcha)) return accepted();

  const input = validate(signupSchema, fields);
  const address = parseAddress(input.email);
  if (!address.ok) {
    const extra = address.suggestion ? { suggestion: address.suggestion } : {};
    throw invalidInput([{ field: 'email', code: address.code, message: address.message }], extra);
  }
  await checkAddressPolicy(deps, list, address);
  await verifyCaptcha(deps, list, input['cf-turnstile-response'], ip);

  // Read once, decide, then write the same statements whatever the state (STYLE: decide first).
  const now = clock.now();
  const ttlSeconds = config.CONFIRM_TTL_HOURS * 3600;
  const target = await findSignupTarget(deps.db, list.id, address.key);
  const [freshSignupId, unsubToken, mailNonce] = randomTokens(18, 24, 12);
  const mailSignupId = target?.state === 'pending' ? target.signupId : freshSignupId;
  const hash = await addressHash(deps.hashKey, address.key);
  const [confirmToken, notMeToken] = await Promise.all([
    deps.tokens.sign({ signup: mailSignupId, list: list.slug, purpose: 'confirm' }, ttlSeconds),
    deps.tokens.sign({ signup: mailSignupId, list: list.slug, purpose: 'not_me', address: hash }, 30 * 24 * 3600),
  ]);
  const name = input.name?.trim() || null;
  const message = renderConfirmation({
    lang: list.language,
    listName: list.name,
    from: list.from ?? config.MAIL_FROM,
    to: address.email,
    name,
    confirmUrl: `${config.PUBLIC_URL}/confirm?token=${confirmToken}`,
    notMeUrl: `${config.PUBLIC_URL}/not-me?token=${notMeToken}`,
    ttlHours: config.CONFIRM_TTL_HOURS,
  });
  await writeSignup(deps.atomic, {
    listId: list.id,
    email: address.email,
    key: address.key,
    name,
    hash,
    now,
    expiresAt: now + ttlSeconds * 1000,
    freshSignupId,
    mailSignupId,
    unsubToken: `u_${unsubToken}`,
    mailNonce,
    skipCooldown: target?.state === 'unsubscribed',
    message,
    ip,
    userAgent: c.req.header('user-agent')?.slice(0, 500) ?? null,
    source: (input.source || c.req.header('referer') || c.req.header('origin') || null)?.slice(0, 2000) ?? null,
  });
  deps.outbox.wake();
  return accepted();
});

subscribeRoutes.get('/lists/:list/check-inbox', async (c) => {
  const list = await requireList(c);
  return c.html(<MessagePage lang={list.language} title="checkInboxTitle" body="checkInboxBody" list={list.name} />);
});
