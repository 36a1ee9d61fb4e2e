import type { ResendErrorBody } from './types';

/** Resend's error bodies: `{ statusCode, message, name }`, which the SDK hands back verbatim as `error`. */

export function rateLimitMessage(limit: number | null): string {
  const n = limit ?? 'a limited number of';
  return `Too many requests. You can only make ${n} requests per second. See rate limit response headers for more information. Or contact support to increase rate limit.`;
}

const DEFAULTS: Record<number, { name: string; message: string }> = {
  400: { name: 'validation_error', message: 'We found an error with one or more fields in the request.' },
  401: { name: 'missing_api_key', message: 'Missing API key in the authorization header.' },
  403: { name: 'invalid_api_key', message: 'API key is invalid.' },
  404: { name: 'not_found', message: 'The requested endpoint does not exist.' },
  405: { name: 'method_not_allowed', message: 'Method is not allowed for the requested path.' },
  409: {
    name: 'concurrent_idempotent_requests',
    message: 'Same idempotency key used while original request is still in progress. Try the request again later.',
  },
  422: { name: 'validation_error', message: 'We found an error with one or more fields in the request.' },
  429: { name: 'rate_limit_exceeded', message: rateLimitMessage(null) },
  500: { name: 'internal_server_error', message: 'An unexpected error occurred.' },
};

/** The error Resend answers with `status` when nothing more specific applies. */
export function errorFor(status: number): ResendErrorBody {
  return { statusCode: status, ...(DEFAULTS[status] ?? { name: 'application_error', message: 'An unexpected error occurred.' }) };
}
