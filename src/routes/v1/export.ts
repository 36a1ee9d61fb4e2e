import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../../deps';
import { validate } from '../../errors';
import { safeErrorText } from '../../logger';
import { requireKey } from '../../middleware/auth';
import { requireList } from '../../middleware/list';
import { exportChunks, exportJsonPage } from '../../services/export';

const querySchema = z.object({
  format: z.enum(['csv', 'ndjson', 'json']).default('csv'),
  // The contract's "at most 10000": a larger limit is capped, not refused.
  limit: z.coerce.number().int().min(1).default(1000).transform((n) => Math.min(n, 10_000)),
  cursor: z.string().optional(),
});

/** Mailers pull the confirmed list: streamed CSV/NDJSON, or JSON pages with an opaque cursor. */
export const exportRoutes = new Hono<AppEnv>();

exportRoutes.get('/:list/subscribers', requireKey({ scope: 'export' }), async (c) => {
  const deps = c.get('deps');
  const q = validate(querySchema, c.req.query());
  const list = await requireList(c);
  const db = deps.exportDb ?? deps.db;
  if (q.format === 'json') return c.json(await exportJsonPage(db, list.id, deps.config.PUBLIC_URL, q.limit, q.cursor));

  const chunks = exportChunks(db, list.id, q.format, deps.config.PUBLIC_URL);
  const encoder = new TextEncoder();
  // A pull stream: the next page is read only when the client has taken the previous one.
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const next = await chunks.next();
          if (next.done) controller.close();
          else controller.enqueue(encoder.encode(next.value));
        } catch (err) {
          deps.logger.error('export stream failed', { list: list.slug, error: safeErrorText(err) });
          controller.error(err);
        }
      },
      async cancel() {
        await chunks.return(undefined);
      },
    },
    { highWaterMark: 1 },
  );
  const csv = q.format === 'csv';
  return c.body(body, 200, {
    'Content-Type': csv ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
    'Content-Disposition': `attachment; filename="${list.slug}.${csv ? 'csv' : 'ndjson'}"`,
    'Cache-Control': 'no-store',
  });
});
