import { Hono } from 'hono';
import type { ConsoleEnv } from '../../deps';
import { BEARER_KEY } from '../../domain/bearer';
import { clientIp } from '../../http/request';
import { clearSessionCookie, sessionCookie, setSessionCookie } from '../../middleware/console-session';
import { rateKeyOf } from '../../middleware/rate-limit';
import { SignInPage, type SignInProblem } from '../../pages/admin/sign-in';
import { forgetSession, signIn, signOut } from '../../services/console-sessions';
import { formFields, view } from './view';

/** Sign-in attempts per client address: a few in a row, then one every 12 seconds. */
const SIGN_IN_LIMIT = { burst: 10, perMinute: 5 };

/** GET|POST /admin/sign-in: the only console routes that work without a session (sameOrigin still guards the post). */
export const signInRoutes = new Hono<ConsoleEnv>();

signInRoutes.get('/sign-in', async (c) => {
  const { config } = c.get('deps');
  const notice = c.req.query('ended') ? 'ended' : c.req.query('out') ? 'signed_out' : undefined;
  return c.html(<SignInPage v={await view(c)} notice={notice} idleMinutes={config.ADMIN_SESSION_IDLE_MINUTES} maxHours={config.ADMIN_SESSION_MAX_HOURS} />);
});

signInRoutes.post('/sign-in', async (c) => {
  const deps = c.get('deps');
  const answer = async (problem: SignInProblem, status: 401 | 403 | 429) =>
    c.html(<SignInPage v={await view(c, '/admin/sign-in')} problem={problem} idleMinutes={deps.config.ADMIN_SESSION_IDLE_MINUTES} maxHours={deps.config.ADMIN_SESSION_MAX_HOURS} />, status);
  const taken = await deps.rateLimiter.take(`console-sign-in:${rateKeyOf(clientIp(c))}`, SIGN_IN_LIMIT);
  if (!taken.ok) {
    c.header('Retry-After', String(taken.retryAfterSeconds));
    return answer({ retryAfter: taken.retryAfterSeconds }, 429);
  }
  const key = (await formFields(c)).key?.trim() ?? '';
  const outcome = BEARER_KEY.test(key) ? await signIn(deps, key) : ({ ok: false, reason: 'unknown_key' } as const);
  if (!outcome.ok) {
    deps.logger.warn('console sign-in refused', { requestId: c.get('requestId'), reason: outcome.reason });
    return answer(outcome.reason, outcome.reason === 'not_admin' ? 403 : 401);
  }
  await forgetSession(deps, sessionCookie(c));
  setSessionCookie(c, outcome.token);
  return c.redirect('/admin', 303);
});

/** POST /admin/sign-out: ends the session on the server, not only in this browser. */
export const signOutRoutes = new Hono<ConsoleEnv>().post('/sign-out', async (c) => {
  await signOut(c.get('deps'), c.get('session')!);
  clearSessionCookie(c);
  return c.redirect('/admin/sign-in?out=1', 303);
});
