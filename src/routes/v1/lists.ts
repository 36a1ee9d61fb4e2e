import { createRoute } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import * as z from 'zod';
import type { AppEnv } from '../../deps';
import { allLists } from '../../db/queries/lists';
import { LIST_SLUG, listSettingsSchema } from '../../domain/list-settings';
import { invalidInput } from '../../errors';
import { principalOf } from '../../middleware/auth';
import { requireList } from '../../middleware/list';
import { listView, removeList, saveList } from '../../services/lists';
import { bodyProblems, dateTime, jsonAnswer, jsonObjectBody, jsonRequest, keyed, listParam, problems, v1Router } from './api';

// A copy made here, after @hono/zod-openapi is loaded: the domain's schema may have been built before
// (the CLI imports it first), and only schemas built after the import carry `.openapi()`.
const ListSettings = z.strictObject(listSettingsSchema.shape).openapi('ListSettings', { description: 'The settings of a list. Unknown fields are refused.' });

const List = z
  .object({
    slug: z.string(),
    name: z.string(),
    from: z.string().nullable(),
    language: z.enum(['en', 'ja']),
    redirect_pending: z.string().nullable(),
    redirect_confirmed: z.string().nullable(),
    allowed_origins: z.array(z.string()),
    turnstile_site_key: z.string().nullable(),
    turnstile_secret_set: z.boolean().openapi({ description: 'Whether a Turnstile secret is set; the secret itself never leaves.' }),
    check_mx: z.boolean(),
    block_disposable: z.boolean(),
    confirmation_mail: z
      .object({ subject: z.string().optional(), intro: z.string().optional(), button: z.string().optional() })
      .nullable()
      .openapi({ description: 'The list\'s own words in its confirmation mail; what is not set comes from the list\'s language.' }),
    consent_text: z.string().nullable(),
    reply_to: z.string().nullable(),
    mail_footer: z.string().nullable(),
    reminder_after_hours: z.number().nullable(),
    counts: z.object({ pending: z.number().int(), confirmed: z.number().int(), unsubscribed: z.number().int(), suppressed: z.number().int() }),
    created_at: dateTime,
    updated_at: dateTime,
  })
  .openapi('List');

const admin = keyed({ scope: 'admin' });

/** A new list's slug is checked before its body, as the body is only read for a valid name. */
const slugParam = z.object({
  list: z.string().regex(LIST_SLUG).openapi({ param: { name: 'list', in: 'path' }, description: 'The list slug: 1-63 of a-z, 0-9 and "-", starting with a letter or digit.', example: 'newsletter' }),
});
const validSlug: MiddlewareHandler<AppEnv> = async function validSlug(c, next) {
  if (!LIST_SLUG.test(c.req.param('list') ?? '')) {
    throw invalidInput([{ field: 'list', code: 'invalid_string', message: 'a slug is 1-63 of a-z, 0-9 and "-", starting with a letter or digit' }]);
  }
  await next();
};

/** Operators create, replace and read lists. A list-limited admin key sees only its lists. */
export const listRoutes = v1Router()
  .openapi(
    createRoute({
      method: 'get',
      path: '/',
      summary: 'The lists',
      description: 'Every list the key may touch.',
      tags: ['Lists'],
      ...admin,
      responses: { 200: jsonAnswer(z.object({ data: z.array(List) }), 'The lists.'), ...problems() },
    }),
    async (c) => {
      const allowed = principalOf(c).lists;
      const rows = await allLists(c.get('deps').db);
      return c.json({ data: rows.filter((l) => !allowed || allowed.includes(l.slug)).map(listView) }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/{list}',
      summary: 'A list',
      tags: ['Lists'],
      ...admin,
      request: { params: listParam },
      responses: { 200: jsonAnswer(List, 'The list.'), ...problems(404) },
    }),
    async (c) => c.json(listView(await requireList(c)), 200),
  )
  .openapi(
    createRoute({
      method: 'put',
      path: '/{list}',
      summary: 'Create or replace a list',
      description: 'Creates the list (201) or replaces all of its settings (200): omitted fields take their defaults.',
      tags: ['Lists'],
      middleware: [...admin.middleware, validSlug, jsonObjectBody],
      security: admin.security,
      request: { params: slugParam, ...jsonRequest(ListSettings, 'The settings.') },
      responses: { 200: jsonAnswer(List, 'The list was replaced.'), 201: jsonAnswer(List, 'The list was created.'), ...problems(...bodyProblems) },
    }),
    async (c) => {
      const { list: slug } = c.req.valid('param');
      const { list, created } = await saveList(c.get('deps'), slug, c.req.valid('json'), principalOf(c).id);
      return c.json(listView(list), created ? 201 : 200);
    },
  )
  .openapi(
    createRoute({
      method: 'delete',
      path: '/{list}',
      summary: 'Delete a list',
      description: 'Removes the list, its subscriptions, their unsent mail, feed and daily rows. Suppressions and erasures stay.',
      tags: ['Lists'],
      ...admin,
      request: { params: listParam },
      responses: { 204: { description: 'The list is gone.' }, ...problems(404) },
    }),
    async (c) => {
      await removeList(c.get('deps'), await requireList(c), principalOf(c).id);
      return c.body(null, 204);
    },
  );
