import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { AppEnv, Deps } from '../deps';
import { retryAfterSeconds, storageFault, type StorageFault } from '../db/errors';
import { ApiError } from '../errors';
import { wantsJson } from '../http/request';
import { pickLang } from '../i18n/messages';
import { safeErrorText } from '../logger';
import { ErrorPage } from '../pages/pages';

/** The one error shape: problem+json for JSON requests (and every /v1 or webhook path), a page with the same status for browsers. */
export function problem(c: Context<AppEnv>, err: ApiError) {
  for (const [k, v] of Object.entries(err.headers)) c.header(k, v);
  if (wantsJson(c) || c.req.path.startsWith('/v1/') || c.req.path.startsWith('/webhooks/')) {
    return c.body(JSON.stringify({ ...err.toProblem(), instance: c.get('requestId') }), err.status, {
      'Content-Type': 'application/problem+json',
    });
  }
  const lang = pickLang(undefined, c.req.header('accept-language'));
  return c.html(<ErrorPage lang={lang} code={err.code} detail={err.detail} />, err.status);
}

/** When each app last logged each storage fault: a locked database fails every request, the log says so once in a while. */
const faultLogged = new WeakMap<Deps, Map<string, number>>();

/** A database that is busy, full, read-only or failing: 503 with Retry-After, logged at most every 10 s per kind. */
export function storageUnavailable(c: Context<AppEnv>, fault: StorageFault) {
  const deps = c.get('deps');
  if (deps) {
    const seen = faultLogged.get(deps) ?? new Map<string, number>();
    faultLogged.set(deps, seen);
    const now = Date.now();
    if ((seen.get(fault.kind) ?? 0) + 10_000 <= now) {
      seen.set(fault.kind, now);
      deps.logger.warn('database unavailable: answering 503', { requestId: c.get('requestId'), fault: fault.kind, code: fault.code });
    }
  }
  const detail = fault.kind === 'busy' ? 'The service is busy. Try again in a moment.' : 'The service cannot store anything right now. Try again later.';
  return problem(c, new ApiError('unavailable', detail, { headers: { 'Retry-After': String(retryAfterSeconds(fault)) } }));
}

/**
 * app.onError: our errors as they are; Hono's own client errors (bad JSON, 413) in the same shape;
 * a database that cannot take the work now 503; anything else logged with the request id and
 * answered with a generic message (never the error's text).
 */
export function onError(err: Error, c: Context<AppEnv>) {
  if (err instanceof ApiError) return problem(c, err);
  if (err instanceof HTTPException && err.status < 500) {
    const code = err.status === 413 ? 'payload_too_large' : err.status === 415 ? 'unsupported_media_type' : 'bad_request';
    return problem(c, new ApiError(code, err.message || 'The request could not be read.'));
  }
  const fault = storageFault(err);
  if (fault) return storageUnavailable(c, fault);
  c.get('deps')?.logger.error('unhandled error', { requestId: c.get('requestId'), error: safeErrorText(err), where: err.stack?.split('\n').slice(1, 4).join(' | ') });
  return problem(c, new ApiError('internal', 'Something went wrong on our side. Try again later.'));
}
