import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../deps';
import { BEARER, bearerScheme } from './api';

export type ApiDocument = ReturnType<OpenAPIHono['getOpenAPI31Document']>;

const description = [
  'Mailers pull the confirmed list and report delivery events; operators manage lists, keys, suppressions and addresses.',
  'Every request takes `Authorization: Bearer <key>`. Keys are checked first: no or an unknown key is 401, a key without the scope or the list 403, and only then is an unknown list 404.',
  'Request bodies are `application/json` objects. Errors are `application/problem+json` (RFC 9457): `type`, `title`, `status`, `detail`, `instance` (the request id), and for invalid input (422) `errors`, one `{field, code, message}` per problem, unknown fields included.',
].join('\n\n');

/**
 * The OpenAPI 3.1 document of the API mounted at /v1 (`v1` as createApi builds it). It does not
 * depend on configuration, so every installation serves the same document as the committed
 * src/routes/v1/openapi.json.
 */
export function apiDocument(v1: OpenAPIHono<AppEnv>): ApiDocument {
  const doc = v1.getOpenAPI31Document({ openapi: '3.1.0', info: { title: 'listgate API', version: 'v1', description } });
  return {
    ...doc,
    paths: Object.fromEntries(Object.entries(doc.paths ?? {}).map(([path, item]) => [`/v1${path}`, item])),
    components: { ...doc.components, securitySchemes: { [BEARER]: bearerScheme } },
  };
}
