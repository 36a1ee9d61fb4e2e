import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type * as z from 'zod';

export const errorCodes = {
  bad_request: { status: 400, title: 'Bad request' },
  invalid_token: { status: 400, title: 'Invalid link' },
  unauthorized: { status: 401, title: 'Unauthorized' },
  invalid_signature: { status: 401, title: 'Invalid signature' },
  forbidden: { status: 403, title: 'Forbidden' },
  not_found: { status: 404, title: 'Not found' },
  conflict: { status: 409, title: 'Conflict' },
  gone: { status: 410, title: 'Link expired' },
  payload_too_large: { status: 413, title: 'Request body too large' },
  unsupported_media_type: { status: 415, title: 'Unsupported content type' },
  invalid_input: { status: 422, title: 'Invalid input' },
  rate_limited: { status: 429, title: 'Too many requests' },
  internal: { status: 500, title: 'Internal error' },
  unavailable: { status: 503, title: 'Service unavailable' },
} as const satisfies Record<string, { status: ContentfulStatusCode; title: string }>;

export type ErrorCode = keyof typeof errorCodes;
export type FieldError = { field: string; code: string; message: string };

/** The one error type handlers throw; app.onError turns it into problem+json or a page. */
export class ApiError extends HTTPException {
  readonly code: ErrorCode;
  readonly detail: string;
  readonly extra: Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor(code: ErrorCode, detail: string, opts: { extra?: Record<string, unknown>; headers?: Record<string, string> } = {}) {
    super(errorCodes[code].status, { message: detail });
    this.code = code;
    this.detail = detail;
    this.extra = opts.extra ?? {};
    this.headers = opts.headers ?? {};
  }

  get title(): string {
    return errorCodes[this.code].title;
  }

  toProblem(): Record<string, unknown> {
    return {
      type: `https://listgate.dev/problems/${this.code.replace(/_/g, '-')}`,
      title: this.title,
      status: this.status,
      detail: this.detail,
      ...this.extra,
    };
  }
}

export function invalidInput(errors: FieldError[], extra: Record<string, unknown> = {}): ApiError {
  const detail = errors.map((e) => `${e.field}: ${e.message}`).join('; ');
  return new ApiError('invalid_input', detail || 'The request is not valid.', { extra: { errors, ...extra } });
}

/** Maps zod issues to the contract's `errors` list without echoing input values. */
export function zodErrors(error: z.ZodError): FieldError[] {
  return error.issues.flatMap((i) => {
    const at = (key?: string) => [...i.path, ...(key === undefined ? [] : [key])].join('.') || '(body)';
    // One error per unknown field, named, so a client sees exactly what to remove.
    if (i.code === 'unrecognized_keys') return i.keys.map((k) => ({ field: at(k), code: 'unknown_field', message: 'unknown field' }));
    return [{ field: at(), code: i.code, message: i.code === 'invalid_type' ? `expected ${i.expected}` : i.message }];
  });
}

/** Validates `data` with `schema`, throwing the standard 422 on failure. */
export function validate<S extends z.ZodType>(schema: S, data: unknown): z.output<S> {
  const r = schema.safeParse(data);
  if (!r.success) throw invalidInput(zodErrors(r.error));
  return r.data;
}
