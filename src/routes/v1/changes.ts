import { createRoute } from '@hono/zod-openapi';
import * as z from 'zod';
import { changesAfter } from '../../db/queries/changes';
import { requireList } from '../../middleware/list';
import { dateTime, jsonAnswer, keyed, listParam, problems, v1Router } from './api';

const querySchema = z.object({
  after: z
    .string()
    .regex(/^\d{1,15}$/, 'pass the "next" value of the previous answer')
    .transform(Number)
    .optional()
    .openapi({ description: 'The `next` of the previous answer; omitted: from the start.', example: '0' }),
  limit: z.coerce.number().int().min(1).max(10_000).default(1000).openapi({ description: 'Events per answer, at most 10000.' }),
});

const Change = z
  .object({
    seq: z.number().int(),
    type: z.enum(['confirmed', 'unsubscribed', 'suppressed', 'erased']),
    id: z.string().nullable().openapi({ description: "The subscription's stable opaque id (as in the export); on an `erased` event the only trace of the address. Null only on events recorded before ids existed." }),
    email: z.string().nullable().openapi({ description: 'Null on `erased` events and on every event of an erased address.' }),
    at: dateTime,
  })
  .openapi('Change');

const Changes = z.object({
  data: z.array(Change).openapi({ description: 'Empty when caught up.' }),
  next: z.number().int().openapi({ description: 'Always the value to pass as `after` next time.' }),
});

/** The changes feed: what happened to a list since the mailer last asked. */
export const changesRoutes = v1Router().openapi(
  createRoute({
    method: 'get',
    path: '/{list}/changes',
    summary: 'The changes feed',
    description: 'What happened to the list after `after`, in feed order.',
    tags: ['Export'],
    ...keyed({ scope: 'export' }),
    request: { params: listParam, query: querySchema },
    responses: { 200: jsonAnswer(Changes, 'Events after `after`.'), ...problems(404, 422) },
  }),
  async (c) => {
    const q = c.req.valid('query');
    const list = await requireList(c);
    const after = q.after ?? 0;
    const rows = await changesAfter(c.get('deps').db, list.id, after, q.limit);
    return c.json(
      {
        data: rows.map((r) => ({ seq: r.seq, type: r.type, id: r.id, email: r.email, at: new Date(r.at).toISOString() })),
        // Always what to pass next: the last seq seen, or the same `after` when caught up.
        next: rows.length ? rows[rows.length - 1].seq : after,
      },
      200,
    );
  },
);
