import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../../deps';
import { changesAfter } from '../../db/queries/changes';
import { validate } from '../../errors';
import { requireKey } from '../../middleware/auth';
import { requireList } from '../../middleware/list';

const querySchema = z.object({
  after: z
    .string()
    .regex(/^\d{1,15}$/, 'pass the "next" value of the previous answer')
    .transform(Number)
    .optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(1000),
});

/** The changes feed: what happened to a list since the mailer last asked. */
export const changesRoutes = new Hono<AppEnv>();

changesRoutes.get('/:list/changes', requireKey({ scope: 'export' }), async (c) => {
  const q = validate(querySchema, c.req.query());
  const list = await requireList(c);
  const after = q.after ?? 0;
  const rows = await changesAfter(c.get('deps').db, list.id, after, q.limit);
  return c.json({
    data: rows.map((r) => ({ seq: r.seq, type: r.type, id: r.id, email: r.email, at: new Date(r.at).toISOString() })),
    // Always what to pass next: the last seq seen, or the same `after` when caught up.
    next: rows.length ? rows[rows.length - 1].seq : after,
  });
});
