import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { AppEnv } from '../deps';
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

/**
 * app.onError: our errors as they are; Hono's own client errors (bad JSON, 413) in the same shape;
 * anything else logged with the request id and answered with a generic message (never the error's text).
 */
export function onError(err: Error, c: Context<AppEnv>) {
  if (err instanceof ApiError) return problem(c, err);
  if (err instanceof HTTPException && err.status < 500) {
    const code = err.status === 413 ? 'payload_too_large' : err.status === 415 ? 'unsupported_media_type' : 'bad_request';
    return problem(c, new ApiError(code, err.message || 'The request could not be read.'));
  }
  c.get('deps')?.logger.error('unhandled error', { requestId: c.get('requestId'), error: safeErrorText(err), where: err.stack?.split('\n').slice(1, 4).join(' | ') });
  return problem(c, new ApiError('internal', 'Something went wrong on our side. Try again later.'));
}
