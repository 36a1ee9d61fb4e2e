import { createRoute } from '@hono/zod-openapi';
import * as z from 'zod';
import { LIST_SLUG } from '../../domain/list-settings';
import { ApiError } from '../../errors';
import { principalOf, requireKey } from '../../middleware/auth';
import { createKey, keyView, listKeys, revokeKey } from '../../services/keys';
import { bodyProblems, dateTime, jsonAnswer, jsonObjectBody, jsonRequest, problems, securityFor, v1Router } from './api';

const scope = z.enum(['export', 'events', 'admin']);
const createKeySchema = z
  .strictObject({
    scopes: z.array(scope).min(1).max(3),
    /** Omitted or null: a key on every list. */
    lists: z.array(z.string().regex(LIST_SLUG, 'must be a list slug')).min(1).max(100).nullish().openapi({ description: 'Omitted or null: a key on every list.' }),
    name: z.string().trim().min(1).max(100).nullish(),
  })
  .openapi('NewKey', { description: 'Unknown fields are refused.' });

const keyFields = {
  id: z.string().openapi({ example: 'key_...' }),
  prefix: z.string().openapi({ description: 'The start of the key, to recognise it.' }),
  name: z.string().nullable(),
  scopes: z.array(scope),
  lists: z.array(z.string()).nullable().openapi({ description: 'Null: every list.' }),
  created_at: dateTime,
};
const Key = z
  .object({ ...keyFields, last_used_at: dateTime.nullable().openapi({ description: 'Updated at most once a minute.' }), revoked_at: dateTime.nullable() })
  .openapi('Key', { description: 'A key as listed: never its secret.' });
const CreatedKey = z.object({ ...keyFields, key: z.string().openapi({ description: 'The secret, shown this once; only its hash is kept.' }) }).openapi('CreatedKey');

/** Keys span lists, so every route here needs an admin key that is not limited to lists. */
export const keyRoutes = v1Router();
keyRoutes.use('*', requireKey({ scope: 'admin', crossList: true }));
const security = securityFor('admin');

keyRoutes
  .openapi(
    createRoute({
      method: 'post',
      path: '/',
      summary: 'Make a key',
      description: 'Needs a key not limited to lists.',
      tags: ['Keys'],
      security,
      middleware: [jsonObjectBody],
      request: jsonRequest(createKeySchema, 'The scopes and lists of the key.'),
      responses: { 201: jsonAnswer(CreatedKey, 'The key, with its secret shown once.'), ...problems(...bodyProblems) },
    }),
    async (c) => {
      const input = c.req.valid('json');
      const { row, key } = await createKey(c.get('deps'), { scopes: input.scopes, lists: input.lists ?? null, name: input.name ?? null }, principalOf(c).id);
      const { id, prefix, name, scopes, lists, created_at } = keyView(row);
      return c.json({ id, key, prefix, name, scopes, lists, created_at }, 201, { 'Cache-Control': 'no-store' });
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/',
      summary: 'The keys',
      description: 'Every key, revoked ones included; no secrets. Needs a key not limited to lists.',
      tags: ['Keys'],
      security,
      responses: { 200: jsonAnswer(z.object({ data: z.array(Key) }), 'The keys.'), ...problems() },
    }),
    async (c) => c.json({ data: (await listKeys(c.get('deps'))).map(keyView) }, 200),
  )
  .openapi(
    createRoute({
      method: 'delete',
      path: '/{id}',
      summary: 'Revoke a key',
      description: 'Needs a key not limited to lists.',
      tags: ['Keys'],
      security,
      request: { params: z.object({ id: z.string().openapi({ param: { name: 'id', in: 'path' }, example: 'key_...' }) }) },
      responses: { 204: { description: 'Revoked.' }, ...problems(404) },
    }),
    async (c) => {
      const row = await revokeKey(c.get('deps'), c.req.valid('param').id, principalOf(c).id);
      if (!row) throw new ApiError('not_found', 'No key has this id.');
      return c.body(null, 204);
    },
  );
