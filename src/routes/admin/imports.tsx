import { Hono } from 'hono';
import type { Context } from 'hono';
import type { ConsoleEnv } from '../../deps';
import { allLists } from '../../db/queries/lists';
import { importModes } from '../../db/schema';
import type { ImportMode, List } from '../../db/types';
import { ApiError } from '../../errors';
import { tc } from '../../i18n/console';
import { CONSOLE_IMPORT_MAX_BYTES } from '../../middleware/body-limit';
import { ImportChooserPage, type ImportsPageData, ImportsPage } from '../../pages/admin/imports';
import { type ImportReport, importList, listImports } from '../../services/import';
import type { FileFormat } from '../../services/import-source';
import { actor, consoleList, maySee, requireUnlimited, view } from './view';

/** What an import may refuse with, shown on the page with the form kept (and the report of what was written). */
const REFUSALS = new Set(['invalid_input', 'payload_too_large', 'unsupported_media_type', 'bad_request']);

async function page(c: Context<ConsoleEnv>, list: List, extra: Partial<ImportsPageData> = {}, status: 200 | 400 | 413 | 415 | 422 | 503 = 200) {
  const deps = c.get('deps');
  const data: ImportsPageData = {
    list,
    imports: await listImports(deps, list),
    maxMb: +(Math.min(CONSOLE_IMPORT_MAX_BYTES, deps.config.IMPORT_MAX_BYTES) / 1048576).toFixed(1),
    perHour: deps.config.IMPORT_RECONFIRM_PER_HOUR,
    ...extra,
  };
  return c.html(<ImportsPage v={await view(c, `/admin/lists/${list.slug}/imports`)} data={data} />, status);
}

/** NDJSON by its name or type, else CSV (exports are CSV whatever their type says). */
function fileKind(file: File): FileFormat {
  return /\.(nd)?jsonl?$/i.test(file.name) || /ndjson|jsonl/i.test(file.type) ? 'ndjson' : 'csv';
}

/** The upload's fields and file. The CSRF check has read the form already: hono keeps it, so this parses nothing twice. */
async function upload(c: Context<ConsoleEnv>) {
  let body: Record<string, string | File>;
  try {
    body = (await c.req.parseBody({ all: false })) as Record<string, string | File>;
  } catch {
    throw new ApiError('bad_request', 'The form body could not be read.');
  }
  const text = (k: string) => (typeof body[k] === 'string' ? (body[k] as string) : undefined);
  return {
    file: body.file instanceof File && body.file.size > 0 ? body.file : null,
    draft: { mode: text('mode'), consent_source: text('consent_source')?.trim(), dry_run: text('dry_run') === '1', notify: text('notify') === '1' },
  };
}

/** GET /admin/imports: the lists the key may import into. */
export const importChooserRoutes = new Hono<ConsoleEnv>();
importChooserRoutes.get('/', async (c) => {
  const lists = (await allLists(c.get('deps').db)).filter((l) => maySee(c, l.slug));
  return c.html(<ImportChooserPage v={await view(c)} lists={lists} />);
});

/**
 * A list's imports: GET the page, POST a file (multipart/form-data) through the same service as
 * POST /v1/lists/{list}/imports. The upload is held in memory, so the console takes at most
 * CONSOLE_IMPORT_MAX_BYTES (app.tsx); larger files go through the CLI, which streams them.
 */
export const importRoutes = new Hono<ConsoleEnv>();

importRoutes.get('/:list/imports', async (c) => page(c, await consoleList(c)));

importRoutes.post('/:list/imports', async (c) => {
  const list = await consoleList(c);
  const lang = c.get('lang');
  const { file, draft } = await upload(c);
  const mode = importModes.find((m) => m === draft.mode) as ImportMode | undefined;
  if (!mode) return page(c, list, { problem: tc(lang, 'chooseMode'), draft }, 422);
  // Suppressions span lists: a key limited to lists may not import them (as in the API).
  if (mode === 'suppress') requireUnlimited(c);
  if (!file) return page(c, list, { problem: tc(lang, 'chooseFile'), draft }, 422);
  const deps = c.get('deps');
  try {
    const report = await importList(deps, list, file.stream(), {
      mode,
      consentSource: draft.consent_source || null,
      notify: draft.notify,
      dryRun: draft.dry_run,
      kind: fileKind(file),
      actor: actor(c),
      maxRows: deps.config.IMPORT_MAX_ROWS_PER_REQUEST,
      signal: deps.stopping,
    });
    return page(c, list, { report, draft }, report.state === 'stopped' ? 503 : 200);
  } catch (err) {
    if (!(err instanceof ApiError) || !REFUSALS.has(err.code)) throw err;
    const report = err.extra.report as ImportReport | undefined;
    // A file refused before its first row (no address column, consent source missing) wrote nothing: no report to show.
    // One refused part-way (a row limit, a broken line) keeps its whole chunks: the report says what they held.
    const partial = report?.rows ? { ...report, state: 'stopped' as const } : undefined;
    return page(c, list, { problem: err.detail, report: partial, draft }, err.status as 400 | 413 | 415 | 422);
  }
});
