import { OpenAPIHono } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import * as z from 'zod';
import type { AppEnv } from '../../deps';
import type { Scope } from '../../db/types';
import { invalidInput, zodErrors } from '../../errors';
import { readJsonObject } from '../../http/request';
import { requireKey, type RequireKeyOptions } from '../../middleware/auth';

/**
 * What every /v1 router shares: the router itself (validation failures are the standard 422, as
 * `validate` answers them), the bearer scheme, the problem answers and the path parameters.
 * Importing @hono/zod-openapi first gives zod schemas their `.openapi()` method.
 */
export function v1Router() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) throw invalidInput(zodErrors(result.error));
    },
  });
}

/** The name of the security scheme in the document; its scopes name the key scope a route needs. */
export const BEARER = 'bearer';

export const bearerScheme = {
  type: 'http',
  scheme: 'bearer',
  description:
    'An API key (`lg_...`) made with POST /v1/keys, or ADMIN_TOKEN. Scopes: `export`, `events`, `admin` (admin includes every scope). ' +
    'A key limited to lists may only touch those lists; routes that span lists need a key that is not limited.',
} as const;

/** The `security` of a route needing `scope`. */
export const securityFor = (scope: Scope) => [{ [BEARER]: [scope] }];

/** Auth declared with the route: the middleware that checks the key and the security the document shows. */
export function keyed(options: RequireKeyOptions) {
  return { middleware: [requireKey(options)], security: securityFor(options.scope) };
}

/**
 * For routes taking a JSON object: the same answers as readBody before the schema runs (415 for
 * any other or no content type, 400 for broken JSON, 422 for JSON that is not an object).
 */
export const jsonObjectBody: MiddlewareHandler<AppEnv> = async function jsonObjectBody(c, next) {
  await readJsonObject(c);
  await next();
};

/** A required JSON request body with `schema`. Pair with `jsonObjectBody` in the route's middleware. */
export const jsonRequest = <S extends z.ZodType>(schema: S, description: string) => ({
  body: { required: true, description, content: { 'application/json': { schema } } },
});

/** A JSON answer with `schema`. */
export const jsonAnswer = <S extends z.ZodType>(schema: S, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

export const dateTime = z.string().openapi({ format: 'date-time', example: '2026-11-01T12:00:00.000Z' });

export const listParam = z.object({
  list: z.string().openapi({ param: { name: 'list', in: 'path' }, description: 'The list slug.', example: 'newsletter' }),
});
export const emailParam = z.object({
  email: z.string().openapi({ param: { name: 'email', in: 'path' }, description: 'An email address (URL-encoded).', example: 'ada@example.com' }),
});

const problemFields = {
  type: z.string().openapi({ example: 'https://listgate.dev/problems/not-found' }),
  title: z.string().openapi({ example: 'Not found' }),
  status: z.number().int().openapi({ example: 404 }),
  detail: z.string(),
  instance: z.string().openapi({ description: 'The request id, also sent as X-Request-Id.' }),
};
const Problem = z.object(problemFields).openapi('Problem', { description: 'RFC 9457 problem details.' });

const FieldError = z
  .object({
    field: z.string().openapi({ description: 'The field, dotted for nested ones; `(body)` for the whole body.', example: 'scopes.0' }),
    code: z.string().openapi({ description: 'A zod issue code, `unknown_field`, or a code of the route.', example: 'invalid_value' }),
    message: z.string(),
  })
  .openapi('FieldError');

const ValidationProblem = z.object({ ...problemFields, errors: z.array(FieldError) }).openapi('ValidationProblem', {
  description: 'A problem for invalid input: every field that is wrong, and for unknown fields one entry each.',
});

const problemJson = (schema: z.ZodType, description: string) => ({ description, content: { 'application/problem+json': { schema } } });

const problemAnswers = {
  400: problemJson(Problem, 'The body is not valid JSON.'),
  401: {
    ...problemJson(Problem, 'No key, a malformed Authorization header, or an unknown or revoked key.'),
    headers: { 'WWW-Authenticate': { description: 'Always `Bearer`.', schema: { type: 'string' } } },
  },
  403: problemJson(Problem, 'The key lacks the scope, is limited to other lists, or is limited to lists where the route spans lists.'),
  404: problemJson(Problem, 'Nothing is known by that name.'),
  409: problemJson(Problem, 'The request conflicts with the current state.'),
  413: problemJson(Problem, 'The body is over the size limit.'),
  415: problemJson(Problem, 'The body is not application/json.'),
  422: problemJson(ValidationProblem, 'Invalid input.'),
  429: {
    ...problemJson(Problem, 'Too many requests of this kind; try again later.'),
    headers: { 'Retry-After': { description: 'Seconds to wait.', schema: { type: 'integer' } } },
  },
  503: {
    ...problemJson(Problem, 'The service cannot do this now (busy, stopping); try again later.'),
    headers: { 'Retry-After': { description: 'Seconds to wait.', schema: { type: 'integer' } } },
  },
} as const;
type ProblemStatus = keyof typeof problemAnswers;

/** Error answers of a route: 401 and 403 always (every route takes a key), and the given others. */
export function problems<const S extends ProblemStatus>(...statuses: S[]) {
  const out = { 401: problemAnswers[401], 403: problemAnswers[403] } as Pick<typeof problemAnswers, S | 401 | 403>;
  for (const s of statuses) (out as Record<number, unknown>)[s] = problemAnswers[s];
  return out;
}

/** Error answers of a route taking a JSON body. */
export const bodyProblems = [400, 413, 415, 422] as const;
