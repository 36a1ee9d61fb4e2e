import { createRoute } from '@hono/zod-openapi';
import * as z from 'zod';
import { suppressionReasons } from '../../db/schema';
import { principalOf, requireKey } from '../../middleware/auth';
import { addSuppression, liftSuppression, suppressionPage, suppressionView } from '../../services/suppressions';
import { bodyProblems, dateTime, emailParam, jsonAnswer, jsonObjectBody, jsonRequest, problems, securityFor, v1Router } from './api';

const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100).openapi({ description: 'Rows per page, at most 1000.' }),
  cursor: z
    .string()
    .regex(/^\d{1,16}\.[0-9a-f]{64}$/, 'not a cursor from this endpoint')
    .optional()
    .openapi({ description: 'The `next_cursor` of the previous page.' }),
});
const addBody = z
  .object({ email: z.string(), reason: z.literal('manual').default('manual') })
  .strict()
  .openapi('NewSuppression', { description: 'Unknown fields are refused.' });
const liftQuery = z.object({
  force: z.string().optional().openapi({ description: '`true` lifts a suppression that came from a complaint or an erasure.', example: 'true' }),
});

const Suppression = z
  .object({
    email: z.string().nullable().openapi({ description: 'Null once the address was erased: only its keyed hash stays.' }),
    hash: z.string(),
    reason: z.enum(suppressionReasons),
    source: z.string().nullable(),
    created_at: dateTime,
  })
  .openapi('Suppression');

/** The global suppression list: it spans lists, so an admin key not limited to lists. */
export const suppressionRoutes = v1Router();
suppressionRoutes.use('*', requireKey({ scope: 'admin', crossList: true }));
const security = securityFor('admin');

suppressionRoutes
  .openapi(
    createRoute({
      method: 'get',
      path: '/',
      summary: 'The suppression list',
      description: 'Newest first, a page at a time. Needs a key not limited to lists.',
      tags: ['Suppressions'],
      security,
      request: { query: pageQuery },
      responses: {
        200: jsonAnswer(z.object({ data: z.array(Suppression), next_cursor: z.string().nullable() }), 'A page of suppressions.'),
        ...problems(422),
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      return c.json(await suppressionPage(c.get('deps'), q.limit, q.cursor), 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/',
      summary: 'Suppress an address',
      description: 'The address (every variant of its mailbox) gets no more mail on any list. Needs a key not limited to lists.',
      tags: ['Suppressions'],
      security,
      middleware: [jsonObjectBody],
      request: jsonRequest(addBody, 'The address.'),
      responses: {
        200: jsonAnswer(Suppression, 'The address was already suppressed.'),
        201: jsonAnswer(Suppression, 'The address is now suppressed.'),
        ...problems(...bodyProblems),
      },
    }),
    async (c) => {
      const { row, existed } = await addSuppression(c.get('deps'), c.req.valid('json').email, principalOf(c).id);
      return c.json(suppressionView(row), existed ? 200 : 201);
    },
  )
  .openapi(
    createRoute({
      method: 'delete',
      path: '/{email}',
      summary: 'Lift a suppression',
      description:
        'Subscriptions stay `suppressed` until a new signup and confirmation. A suppression from a complaint or an erasure is lifted only with `force=true`. Needs a key not limited to lists.',
      tags: ['Suppressions'],
      security,
      request: { params: emailParam, query: liftQuery },
      responses: { 204: { description: 'Lifted.' }, ...problems(404, 409, 422) },
    }),
    async (c) => {
      await liftSuppression(c.get('deps'), c.req.valid('param').email, c.req.valid('query').force === 'true', principalOf(c).id);
      return c.body(null, 204);
    },
  );
