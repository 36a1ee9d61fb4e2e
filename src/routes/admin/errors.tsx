import type { Context } from 'hono';
import type { AppEnv, ConsoleEnv } from '../../deps';
import { ApiError } from '../../errors';
import { type ConsoleKey, tc } from '../../i18n/console';
import { ConsoleLayout, type ConsoleView } from '../../pages/admin/layout';
import { onError } from '../problem';

const PAGES: Partial<Record<ApiError['code'], [ConsoleKey, ConsoleKey | null]>> = {
  forbidden: ['forbiddenTitle', 'forbidden'],
  not_found: ['notFoundTitle', 'notFoundBody'],
  rate_limited: ['rateLimitedTitle', 'rateLimitedBody'],
  invalid_input: ['invalidTitle', null],
  conflict: ['invalidTitle', null],
  payload_too_large: ['invalidTitle', null],
  unsupported_media_type: ['invalidTitle', null],
  bad_request: ['invalidTitle', null],
};

/**
 * The console's error pages, in its own layout and language, with the status of the problem. A
 * refused cross-site post gets its own words. Anything else (storage faults, bugs) goes to the
 * app's one error handler: 503 with Retry-After, or a logged 500 that says nothing of the cause.
 */
export async function consoleError(err: Error, c: Context<ConsoleEnv>) {
  const page = err instanceof ApiError ? (err.extra.reason === 'csrf' ? (['csrfTitle', 'csrf'] as const) : PAGES[err.code]) : undefined;
  if (!(err instanceof ApiError) || !page) return onError(err, c as unknown as Context<AppEnv>);
  for (const [k, v] of Object.entries(err.headers)) c.header(k, v);
  const lang = c.get('lang') ?? 'en';
  const session = c.get('session');
  const v: ConsoleView = { lang, here: session ? '/admin' : '/admin/sign-in', session };
  const [title, body] = page;
  return c.html(
    <ConsoleLayout v={v} title={tc(lang, title)}>
      <p>{body ? tc(lang, body, { seconds: err.headers['Retry-After'] ?? '' }) : err.detail}</p>
      <p>
        <a href="/admin">{tc(lang, 'navOverview')}</a>
      </p>
    </ConsoleLayout>,
    err.status,
  );
}
