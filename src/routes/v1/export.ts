import { createRoute } from '@hono/zod-openapi';
import * as z from 'zod';
import { EXPORT_PAGE, LOCAL_EXPORT_PAGE } from '../../db/queries/export';
import { safeErrorText } from '../../logger';
import { requireList } from '../../middleware/list';
import { exportChunks, exportJsonPage } from '../../services/export';
import { dateTime, keyed, listParam, problems, v1Router } from './api';

const querySchema = z.object({
  format: z.enum(['csv', 'ndjson', 'json']).default('csv').openapi({ description: 'CSV and NDJSON stream the whole list; JSON answers one page.' }),
  // The contract's "at most 10000": a larger limit is capped, not refused.
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .default(1000)
    .transform((n) => Math.min(n, 10_000))
    .openapi({ description: 'Rows per JSON page; a value over 10000 is taken as 10000.' }),
  cursor: z.string().optional().openapi({ description: 'The `next_cursor` of the previous JSON page, passed back exactly.' }),
});

const ExportRow = z
  .object({
    email: z.string(),
    name: z.string().nullable(),
    confirmed_at: dateTime,
    unsubscribe_url: z.string().openapi({ format: 'uri', description: 'One-click unsubscribe link for List-Unsubscribe (RFC 8058).' }),
    id: z.string().openapi({ description: "The subscription's stable opaque id: keep it, an `erased` event names only it." }),
  })
  .openapi('ExportRow', { description: 'A confirmed, unsuppressed subscriber; NDJSON lines are these objects.' });

const stream = (description: string) => ({ schema: z.string().openapi({ description }) });

/** Mailers pull the confirmed list: streamed CSV/NDJSON, or JSON pages with an opaque cursor. */
export const exportRoutes = v1Router().openapi(
  createRoute({
    method: 'get',
    path: '/{list}/subscribers',
    summary: 'Export the confirmed subscribers',
    description: 'Every confirmed, unsuppressed subscriber in confirmation order. A JSON walk never shows an address twice.',
    tags: ['Export'],
    ...keyed({ scope: 'export' }),
    request: { params: listParam, query: querySchema },
    responses: {
      200: {
        description: 'The subscribers, in the format asked for.',
        headers: { 'Content-Disposition': { description: 'For CSV and NDJSON: `attachment; filename="{list}.csv"` (or `.ndjson`).', schema: { type: 'string' } } },
        content: {
          'application/json': { schema: z.object({ data: z.array(ExportRow), next_cursor: z.string().nullable().openapi({ description: 'Pass as `cursor` for the next page; null at the end.' }) }) },
          'text/csv': stream("RFC 4180 (CRLF, quotes only where needed), header `email,name,confirmed_at,unsubscribe_url,id`; a cell that would start like a formula (`=`, `+`, `-`, `@`) gets a leading `'`."),
          'application/x-ndjson': stream('One ExportRow JSON object per line.'),
        },
      },
      ...problems(404, 422),
    },
  }),
  async (c) => {
    const deps = c.get('deps');
    const q = c.req.valid('query');
    const list = await requireList(c);
    const db = deps.exportDb ?? deps.db;
    if (q.format === 'json') return c.json(await exportJsonPage(db, list.id, deps.config.PUBLIC_URL, q.limit, q.cursor), 200);

    // Node's own reader takes small pages (memory); D1's are large (queries per invocation).
    const pageRows = deps.exportDb ? LOCAL_EXPORT_PAGE : EXPORT_PAGE;
    const chunks = exportChunks(db, list.id, q.format, deps.config.PUBLIC_URL, { pageRows });
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
  },
);
