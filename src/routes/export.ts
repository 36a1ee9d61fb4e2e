import { safeErrorText } from '../logger';
import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv, Deps } from '../deps';
import { EXPORT_PAGE, exportPage } from '../db/queries/export';
import { CSV_HEADER, decodeCursor, encodeCursor, formatRows, rowObject } from '../domain/export-format';
import { invalidInput, validate } from '../errors';
import { requireKey } from '../middleware/auth';
import { requireList } from './list-param';

const querySchema = z.object({
  format: z.enum(['csv', 'ndjson', 'json']).default('csv'),
  // The contract's "at most 10000": a larger limit is capped, not refused.
  limit: z.coerce.number().int().min(1).default(1000).transform((n) => Math.min(n, 10_000)),
  cursor: z.string().optional(),
});

/** Mailers pull the confirmed list: streamed CSV/NDJSON, or JSON pages with an opaque cursor. */
export const exportRoutes = new Hono<AppEnv>();

exportRoutes.get('/v1/lists/:list/subscribers', requireKey({ scope: 'export' }), async (c) => {
  const deps = c.get('deps');
  const q = validate(querySchema, c.req.query());
  const list = await requireList(c);
  const db = deps.exportDb ?? deps.db;
  const publicUrl = deps.config.PUBLIC_URL;

  if (q.format === 'json') {
    const after = q.cursor === undefined ? 0 : decodeCursor(q.cursor);
    if (after === null) throw invalidInput([{ field: 'cursor', code: 'invalid_cursor', message: 'pass back a next_cursor exactly as received' }]);
    // One row more than asked tells whether another page exists without a COUNT.
    const rows = await exportPage(db, list.id, after, q.limit + 1);
    const page = rows.slice(0, q.limit);
    const next = rows.length > q.limit ? encodeCursor(page[page.length - 1].seq) : null;
    return c.json({ data: page.map((r) => rowObject(r, publicUrl)), next_cursor: next });
  }

  const csv = q.format === 'csv';
  const body = exportStream(deps, db, list.id, q.format, csv ? CSV_HEADER : '');
  return c.body(body, 200, {
    'Content-Type': csv ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
    'Content-Disposition': `attachment; filename="${list.slug}.${csv ? 'csv' : 'ndjson'}"`,
    'Cache-Control': 'no-store',
  });
});

/**
 * A pull stream: the next keyset page is read only when the client has taken the previous one,
 * so memory holds about one page whatever the list size, and a slow client slows the reads.
 */
function exportStream(deps: Deps, db: NonNullable<Deps['exportDb']>, listId: number, format: 'csv' | 'ndjson', head: string) {
  const encoder = new TextEncoder();
  let after = 0;
  let done = false;
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        if (head) controller.enqueue(encoder.encode(head));
      },
      async pull(controller) {
        if (done) return;
        try {
          const rows = await exportPage(db, listId, after, EXPORT_PAGE);
          if (rows.length === 0) {
            done = true;
            controller.close();
            return;
          }
          after = rows[rows.length - 1].seq;
          controller.enqueue(encoder.encode(formatRows(rows, format, deps.config.PUBLIC_URL)));
          if (rows.length < EXPORT_PAGE) {
            done = true;
            controller.close();
          }
        } catch (err) {
          deps.logger.error('export stream failed', { listId, after, error: safeErrorText(err) });
          controller.error(err);
        }
      },
    },
    { highWaterMark: 1 },
  );
}
