import type { Deps } from '../deps';
import { audit } from '../db/queries/audit';
import { storageFault } from '../db/errors';
import type { ImportMode, ImportRow, List } from '../db/types';
import { type ChunkCounts, chunkGroup, createImport, findImport, finishImport, lastScheduledImportMail, recentImports } from '../db/queries/imports';
import type { SourceFormat } from '../domain/import-format';
import { randomToken } from '../domain/ids';
import { nameProblem } from '../domain/spreadsheet';
import { isoTime } from '../domain/time';
import { ApiError, invalidInput } from '../errors';
import { decideChunk, type ImportContext, type RowError } from './import-chunk';
import { type FileFormat, openSource, type SourceRecord } from './import-source';

export type ImportOptions = {
  mode: ImportMode;
  /** How consent was collected; required by mode `confirmed`. */
  consentSource: string | null;
  /** Webhooks and sender sync hear of the imported rows. */
  notify: boolean;
  dryRun: boolean;
  kind: FileFormat;
  /** Who runs it (a key id, `admin-token`, `cli`). */
  actor: string;
  /** Data rows this one call may take; 0: no limit. */
  maxRows?: number;
  /** Stops the import at the next chunk boundary (a shutdown). */
  signal?: AbortSignal;
  /** Every refused row, beyond the first 100 the report lists (the CLI's --errors file). */
  onError?: (error: RowError) => void;
  /** After each chunk: data rows read so far. */
  onProgress?: (rows: number) => void;
};

export type ImportReport = {
  id: string | null;
  mode: ImportMode;
  /** The export the columns were recognised as. */
  format: SourceFormat;
  dry_run: boolean;
  /** `stopped`: a shutdown stopped it between chunks; what was written stays, and a re-run skips it. */
  state: 'done' | 'stopped';
  rows: number;
  imported: number;
  skipped: Record<'suppressed' | 'erased' | 'unsubscribed' | 'already' | 'invalid' | 'duplicate', number>;
  errors: RowError[];
  /** reconfirm: confirmation mails queued (paced by IMPORT_RECONFIRM_PER_HOUR). */
  mails_queued?: number;
};

/** What an import needs: the CLI builds these without a server. */
export type ImportPorts = Pick<Deps, 'db' | 'atomic' | 'clock' | 'config' | 'hashKey'>;

export const MAX_REPORTED_ERRORS = 100;
/** A chunk's write aims at this long: other requests wait at most about this for the database. */
const CHUNK_TARGET_MS = 40;
/** At least this many rows a chunk: 10,000 rows (a Worker's request) are at most 100 chunks, 600 D1 queries. */
const CHUNK_MIN = 100;
const CHUNK_MAX = 2000;

/**
 * Imports a streamed file into a list, chunk by chunk: each chunk is read and decided first
 * (src/services/import-chunk.ts), then written as one atomic group of bounded duration (the chunk
 * size follows the measured write time), and the event loop is yielded between chunks. A failure
 * or a stop leaves every written chunk whole and the rest unwritten; a re-run skips what is there.
 */
export async function importList(deps: ImportPorts, list: List, body: ReadableStream<Uint8Array>, opts: ImportOptions): Promise<ImportReport> {
  checkOptions(opts);
  const source = await openSource(body, opts.kind);
  const now = deps.clock.now();
  const publicId = opts.dryRun ? null : `imp_${randomToken(12)}`;
  const importId = publicId
    ? await createImport(deps.db, { publicId, listId: list.id, mode: opts.mode, consentSource: opts.consentSource, notify: opts.notify, actor: opts.actor, now })
    : null;
  const gap = 3_600_000 / deps.config.IMPORT_RECONFIRM_PER_HOUR;
  const ctx: ImportContext = {
    mode: opts.mode,
    listId: list.id,
    blockDisposable: list.blockDisposable,
    importId,
    importPublicId: publicId,
    wouldImport: opts.dryRun ? new Set() : null,
    nextMailAt: opts.mode === 'reconfirm' ? Math.max(now, ((await lastScheduledImportMail(deps.db)) ?? -Infinity) + gap) : now,
    mailGapMs: gap,
  };
  const report: ImportReport = {
    id: publicId,
    mode: opts.mode,
    format: source.format,
    dry_run: opts.dryRun,
    state: 'done',
    rows: 0,
    imported: 0,
    skipped: { suppressed: 0, erased: 0, unsubscribed: 0, already: 0, invalid: 0, duplicate: 0 },
    errors: [],
    ...(opts.mode === 'reconfirm' ? { mails_queued: 0 } : {}),
  };
  // A written import is audited under its actor (a key id, `cli`) once it ends; a dry run writes nothing.
  const finish = async (state: 'done' | 'failed' | 'stopped') => {
    if (importId === null) return;
    const at = deps.clock.now();
    await finishImport(deps.db, importId, state, at);
    await audit(deps.db, { actor: opts.actor, action: 'list.import', target: list.slug, detail: { import: publicId, mode: opts.mode, state, rows: report.rows, imported: report.imported }, at });
  };
  try {
    let size = 250;
    let pending: SourceRecord[] = [];
    const flush = async () => {
      size = await writeChunk(deps, ctx, opts, list, pending, report, size);
      pending = [];
      opts.onProgress?.(report.rows);
      // Other requests (and the database's other writers) get their turn between chunks.
      await new Promise((resolve) => setTimeout(resolve, 0));
    };
    const records = source.records[Symbol.asyncIterator]();
    for (;;) {
      const next = await nextOrStop(records, opts.signal);
      if (next === 'stop' || next.done) break;
      const record = next.value;
      if (opts.maxRows && report.rows + pending.length >= opts.maxRows) {
        await flush();
        await finish('stopped');
        throw new ApiError('payload_too_large', `One request takes at most ${opts.maxRows} rows: the first ${opts.maxRows} were imported, the rest was not read. Send the rest in another request (the CLI splits files).`, { extra: { report } });
      }
      pending.push(record);
      if (pending.length >= size) await flush();
    }
    // The rest of the body is not read: let go of it without waiting for a sender that may be gone.
    if (opts.signal?.aborted) void records.return?.(undefined)?.catch(() => {});
    if (pending.length) await flush();
    report.state = opts.signal?.aborted ? 'stopped' : 'done';
    await finish(report.state);
    // The mail the cap admitted (and that was not held back), as written with the chunks.
    if (importId !== null && opts.mode === 'reconfirm') report.mails_queued = (await findImport(deps.db, importId))?.mailsQueued ?? 0;
    return report;
  } catch (err) {
    await finish('failed').catch(() => {});
    if (err instanceof ApiError && !('report' in err.extra)) (err.extra as Record<string, unknown>).report = report;
    throw err;
  }
}

/**
 * The next record, or `stop` as soon as the signal aborts, also while a slow sender's next bytes are
 * awaited. A listener per call, removed once the record is in: a race against one long-lived promise
 * would keep a reaction alive for every row of the file.
 */
function nextOrStop<T>(records: AsyncIterator<T>, signal: AbortSignal | undefined): Promise<IteratorResult<T> | 'stop'> {
  if (!signal) return records.next();
  if (signal.aborted) return Promise.resolve('stop');
  return new Promise((resolve, reject) => {
    const onAbort = () => resolve('stop');
    signal.addEventListener('abort', onAbort, { once: true });
    records.next().then(
      (r) => (signal.removeEventListener('abort', onAbort), resolve(r)),
      (e) => (signal.removeEventListener('abort', onAbort), reject(e)),
    );
  });
}

/**
 * Another writer on the database (the server beside the CLI, another import) may hold its lock for
 * a moment: the same decided group is tried again (its guards hold in SQL), up to five times.
 */
async function withBusyRetries(write: () => Promise<unknown>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await write();
      return;
    } catch (err) {
      if (attempt >= 5 || storageFault(err)?.kind !== 'busy') throw err;
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  }
}

/** Decides and writes one chunk, adds it to the report, and answers the next chunk's size. */
async function writeChunk(deps: ImportPorts, ctx: ImportContext, opts: ImportOptions, list: List, records: SourceRecord[], report: ImportReport, size: number): Promise<number> {
  const decided = await decideChunk(deps, ctx, records);
  const started = performance.now();
  if (ctx.importId !== null && decided.counts.rows > 0) {
    const w = { mode: opts.mode, importId: ctx.importId, listId: list.id, rows: decided.rows, counts: decided.counts, now: deps.clock.now(), notify: opts.notify, ttlMs: deps.config.CONFIRM_TTL_HOURS * 3_600_000, source: `import:${ctx.importPublicId}` };
    await withBusyRetries(() => deps.atomic((db) => chunkGroup(db, w)));
  }
  const took = performance.now() - started;
  add(report, decided.counts);
  if (opts.mode === 'reconfirm') report.mails_queued! += decided.rows.length;
  for (const e of decided.errors) {
    if (report.errors.length < MAX_REPORTED_ERRORS) report.errors.push(e);
    opts.onError?.(e);
  }
  if (ctx.importId === null || decided.rows.length === 0) return size;
  return Math.max(CHUNK_MIN, Math.min(CHUNK_MAX, Math.round(size * Math.min(2, CHUNK_TARGET_MS / Math.max(took, 1)))));
}

function add(report: ImportReport, c: ChunkCounts) {
  report.rows += c.rows;
  report.imported += c.imported;
  for (const k of ['suppressed', 'erased', 'unsubscribed', 'already', 'invalid', 'duplicate'] as const) report.skipped[k] += c[k];
}

function checkOptions(opts: ImportOptions) {
  const source = opts.consentSource;
  if (opts.mode === 'confirmed' && !source) {
    throw invalidInput([{ field: 'consent_source', code: 'required', message: 'Mode confirmed needs consent_source: how consent was collected (for example "Mailchimp double opt-in form, 2019-2024").' }]);
  }
  if (source !== null && (source.length > 500 || nameProblem(source))) {
    throw invalidInput([{ field: 'consent_source', code: 'invalid', message: 'At most 500 characters, without control characters, not starting with =, +, - or @.' }]);
  }
}

/** An import as operators see it (stats, the imports listing): its report counts, and for reconfirm its mail. */
export function importView(row: ImportRow) {
  return {
    id: row.publicId,
    mode: row.mode,
    state: row.state,
    consent_source: row.consentSource,
    notify: row.notify,
    rows: row.rows,
    imported: row.imported,
    skipped: {
      suppressed: row.skippedSuppressed,
      erased: row.skippedErased,
      unsubscribed: row.skippedUnsubscribed,
      already: row.skippedAlready,
      invalid: row.skippedInvalid,
      duplicate: row.skippedDuplicate,
    },
    created_at: isoTime(row.createdAt)!,
    finished_at: isoTime(row.finishedAt),
    mail:
      row.mode === 'reconfirm'
        ? {
            queued: row.mailsQueued,
            sent: row.mailsSent,
            bounces: row.bounces,
            complaints: row.complaints,
            status: row.mailHeldAt === null ? ('flowing' as const) : ('held' as const),
            held_reason: row.mailHeldReason,
            held_at: isoTime(row.mailHeldAt),
          }
        : null,
  };
}

/** A list's imports, newest first. */
export async function listImports(deps: Pick<Deps, 'db'>, list: List, limit = 50) {
  return (await recentImports(deps.db, list.id, limit)).map(importView);
}
