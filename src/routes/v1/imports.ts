import { createRoute } from '@hono/zod-openapi';
import * as z from 'zod';
import { importModes } from '../../db/schema';
import { ApiError } from '../../errors';
import { streamedBody } from '../../http/request';
import { principalOf } from '../../middleware/auth';
import { requireList } from '../../middleware/list';
import { importList, listImports } from '../../services/import';
import type { FileFormat } from '../../services/import-source';
import { dateTime, jsonAnswer, keyed, listParam, problems, v1Router } from './api';

const count = z.number().int();
const flag = z.enum(['1', '0', 'true', 'false']).optional().transform((v) => v === '1' || v === 'true');

const skipped = z.object({ suppressed: count, erased: count, unsubscribed: count, already: count, invalid: count, duplicate: count });

const ImportQuery = z.object({
  mode: z.enum(importModes).openapi({ description: '`confirmed`: rows join the list confirmed (needs `consent_source`); `reconfirm`: rows become pending and get paced confirmation mail; `suppress`: rows join the suppression list (a key not limited to lists).' }),
  consent_source: z.string().optional().openapi({ description: 'How consent was collected (at most 500 characters), kept as every row\'s evidence; required by `confirmed`.' }),
  dry_run: flag.openapi({ description: '`1`: the same report, nothing written.' }),
  notify: flag.openapi({ description: '`1`: webhooks and sender sync hear of the imported rows (their feed events are otherwise silent for pushes).' }),
});

const RowError = z
  .object({
    line: count.openapi({ description: 'The line of the file the row starts on (the header is line 1).' }),
    email: z.string().openapi({ description: 'The address as the file has it (at most 320 characters).' }),
    code: z.string().openapi({ description: 'Why: an address code as a signup answers (`invalid`, `typo`, `too_long`, `required`, `disposable` on a list that refuses them), `invalid_name`, `unreadable_row`, or `duplicate`.' }),
    suggestion: z.string().optional().openapi({ description: 'For `typo`: the whole corrected address (not applied).' }),
  })
  .openapi('ImportError');

export const ImportReport = z
  .object({
    id: z.string().nullable().openapi({ description: 'The import (`imp_...`); null for a dry run.' }),
    mode: z.enum(importModes),
    format: z.enum(['mailchimp', 'substack', 'ghost', 'buttondown', 'listmonk', 'plain']).openapi({ description: 'The export the columns were recognised as.' }),
    dry_run: z.boolean(),
    state: z.enum(['done', 'stopped']).openapi({ description: '`stopped`: the server stopped it between chunks; what was written stays and a re-run skips it.' }),
    rows: count.openapi({ description: 'Data rows read (the header excluded).' }),
    imported: count,
    skipped,
    errors: z.array(RowError).openapi({ description: 'The first 100 invalid and duplicate rows.' }),
    mails_queued: count.optional().openapi({ description: '`reconfirm`: confirmation mails queued, paced by IMPORT_RECONFIRM_PER_HOUR.' }),
  })
  .openapi('ImportReport');

export const ImportSummary = z
  .object({
    id: z.string(),
    mode: z.enum(importModes),
    state: z.enum(['running', 'done', 'failed', 'stopped']).openapi({ description: '`running` while a request streams it (or if its process died mid-way: every chunk written is whole); `stopped` by a shutdown or the rows-per-request limit.' }),
    consent_source: z.string().nullable(),
    notify: z.boolean(),
    rows: count,
    imported: count,
    skipped,
    created_at: dateTime,
    finished_at: dateTime.nullable(),
    mail: z
      .object({
        queued: count,
        sent: count,
        bounces: count,
        complaints: count,
        status: z.enum(['flowing', 'held']).openapi({ description: '`held`: its bounce or complaint rate crossed the SES review level (5 % / 0.1 % of the mails it sent, from 50 on); its remaining mail is not sent.' }),
        held_reason: z.enum(['bounce', 'complaint']).nullable(),
        held_at: dateTime.nullable(),
      })
      .nullable()
      .openapi({ description: '`reconfirm` imports: their confirmation mail, paced by IMPORT_RECONFIRM_PER_HOUR.' }),
  })
  .openapi('Import');

/** The file's kind from its content type: CSV (a header row) or NDJSON. */
function fileFormat(contentType: string | undefined): FileFormat {
  const type = contentType?.split(';')[0].trim().toLowerCase();
  if (type === 'text/csv') return 'csv';
  if (type === 'application/x-ndjson' || type === 'application/ndjson' || type === 'application/jsonl') return 'ndjson';
  throw new ApiError('unsupported_media_type', 'Send the file as text/csv (with a header row) or application/x-ndjson.');
}

const admin = keyed({ scope: 'admin' });

/** Imports of existing lists: one streamed file per request, answered with a report when done. */
export const importRoutes = v1Router().openapi(
  createRoute({
    method: 'post',
    path: '/{list}/imports',
    summary: 'Import a list',
    description:
      'Streams a CSV or NDJSON file into the list in chunks and answers a report. The columns of Mailchimp, Substack, Ghost, Buttondown and listmonk exports are recognised; rows the source marks as unsubscribed, cleaned, bounced, blocklisted or not subscribed are skipped as `unsubscribed`. Suppressed, erased and unsubscribed addresses are never brought back; addresses already on the list are left as they are (`already`). A re-run skips what an earlier run imported. The body may be up to IMPORT_MAX_BYTES; on Workers at most IMPORT_MAX_ROWS_PER_REQUEST rows (413 past it, with the report of the rows imported).',
    tags: ['Imports'],
    ...admin,
    request: {
      params: listParam,
      query: ImportQuery,
      body: {
        required: true,
        description: 'The file, streamed.',
        content: {
          'text/csv': { schema: z.string().openapi({ example: 'email,name\nada@example.com,Ada Lovelace\n' }) },
          'application/x-ndjson': { schema: z.string().openapi({ example: '{"email":"ada@example.com","name":"Ada Lovelace"}\n' }) },
        },
      },
    },
    responses: { 200: jsonAnswer(ImportReport, 'The report.'), ...problems(404, 413, 415, 422, 503) },
  }),
  async (c) => {
    const deps = c.get('deps');
    const principal = principalOf(c);
    const query = c.req.valid('query');
    if (query.mode === 'suppress' && principal.lists) throw new ApiError('forbidden', 'Mode suppress spans lists and needs a key that is not limited to lists.');
    const list = await requireList(c);
    const kind = fileFormat(c.req.header('content-type'));
    const report = await importList(deps, list, streamedBody(c, deps.config.IMPORT_MAX_BYTES), {
      mode: query.mode,
      consentSource: query.consent_source ?? null,
      notify: query.notify,
      dryRun: query.dry_run,
      kind,
      actor: principal.id,
      maxRows: deps.config.IMPORT_MAX_ROWS_PER_REQUEST,
      signal: deps.stopping,
    });
    if (report.state === 'stopped') throw new ApiError('unavailable', 'The server is stopping: the import stopped between chunks. What was imported stays; send the file again to import the rest.', { extra: { report }, headers: { 'Retry-After': '5' } });
    return c.json(report, 200);
  },
)
  .openapi(
    createRoute({
      method: 'get',
      path: '/{list}/imports',
      summary: "A list's imports",
      description: 'The last 50 imports of the list, newest first (dry runs leave none), with their counts and, for `reconfirm`, their mail.',
      tags: ['Imports'],
      ...admin,
      request: { params: listParam },
      responses: { 200: jsonAnswer(z.object({ data: z.array(ImportSummary) }), 'The imports.'), ...problems(404) },
    }),
    async (c) => c.json({ data: await listImports(c.get('deps'), await requireList(c)) }, 200),
  );
