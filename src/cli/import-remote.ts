import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import type { ImportReport } from '../services/import';
import { MAX_REPORTED_ERRORS } from '../services/import';
import type { RowError } from '../services/import-chunk';
import { csvRecords, type FileFormat } from '../services/import-source';
import { CliFailure } from './common';
import { countingStream, type ImportCliOptions, type progressBar } from './import-progress';

/** One request's worth of the file: its text (the header first) and, per line of it, the line of the file. */
type Part = { text: string; fileLine: Map<number, number>; rows: number };

const quoted = (field: string) => (/[",\r\n]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field);
const breaks = (fields: string[]) => fields.reduce((n, f) => n + (f.match(/\r\n|\r|\n/g)?.length ?? 0), 0);

/**
 * The file in parts of at most `rows` data rows: CSV records are re-written with the header (a
 * quoted line break stays inside its field, so every record keeps its height), NDJSON lines as they are.
 */
async function* parts(body: ReadableStream<Uint8Array>, kind: FileFormat, rows: number): AsyncGenerator<Part> {
  let part: Part | null = null;
  let header = '';
  let next = 2;
  const start = (): Part => ((next = kind === 'csv' ? 2 : 1), { text: header, fileLine: new Map(), rows: 0 });
  const add = (text: string, height: number, line: number) => {
    part ??= start();
    part.fileLine.set(next, line);
    part.text += text;
    part.rows++;
    next += height;
  };
  if (kind === 'csv') {
    for await (const record of csvRecords(body)) {
      if (!header) {
        header = `${record.names.map(quoted).join(',')}\n`;
        continue;
      }
      add(`${record.names.map(quoted).join(',')}\n`, 1 + breaks(record.names), record.line);
      if (part!.rows >= rows) yield part!, (part = null);
    }
  } else {
    let line = 0;
    let rest = '';
    const decoder = new TextDecoder();
    const take = function* (text: string): Generator<Part> {
      line++;
      if (text.trim() === '') return;
      add(`${text}\n`, 1, line);
      if (part!.rows >= rows) yield part!, (part = null);
    };
    for await (const bytes of body as unknown as AsyncIterable<Uint8Array>) {
      const lines = (rest + decoder.decode(bytes, { stream: true })).split('\n');
      rest = lines.pop()!;
      for (const l of lines) yield* take(l.replace(/\r$/, ''));
    }
    yield* take(rest + decoder.decode());
  }
  if (part) yield part;
}

/**
 * `--server`: the file goes to a remote listgate in requests of at most `--rows-per-request` rows
 * (a Worker takes at most IMPORT_MAX_ROWS_PER_REQUEST), and the reports are added up, their line
 * numbers turned back into lines of the file. Each part is its own import: an address repeated in a
 * later part counts as `already` there, and a dry run cannot see duplicates across parts.
 */
export async function importRemote(
  slug: string,
  file: string,
  kind: FileFormat,
  o: ImportCliOptions,
  bar: ReturnType<typeof progressBar>,
  onError: (e: RowError) => void,
): Promise<ImportReport> {
  const key = o.key ?? process.env.LISTGATE_KEY;
  if (!key) throw new CliFailure('--server needs an admin key: --key or LISTGATE_KEY');
  const perRequest = Number(o.rowsPerRequest);
  if (!Number.isInteger(perRequest) || perRequest < 1) throw new CliFailure('--rows-per-request must be a whole number of at least 1');
  const query = new URLSearchParams({ mode: o.mode, ...(o.consentSource ? { consent_source: o.consentSource } : {}), ...(o.dryRun ? { dry_run: '1' } : {}), ...(o.notify ? { notify: '1' } : {}) });
  const url = `${o.server!.replace(/\/+$/, '')}/v1/lists/${encodeURIComponent(slug)}/imports?${query}`;
  let bytes = 0;
  const body = (Readable.toWeb(createReadStream(file)) as ReadableStream<Uint8Array>).pipeThrough(countingStream((n) => (bytes = n)));
  const total: ImportReport = { id: null, mode: o.mode, format: 'plain', dry_run: !!o.dryRun, state: 'done', rows: 0, imported: 0, skipped: { suppressed: 0, erased: 0, unsubscribed: 0, already: 0, invalid: 0, duplicate: 0 }, errors: [] };
  const ids: string[] = [];
  for await (const part of parts(body, kind, perRequest)) {
    const res = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': kind === 'csv' ? 'text/csv' : 'application/x-ndjson' }, body: part.text }).catch((err: Error) => {
      throw new CliFailure(`cannot reach ${o.server}: ${err.message}`);
    });
    const answer = (await res.json().catch(() => ({}))) as Partial<ImportReport> & { detail?: string; report?: ImportReport };
    const report = res.ok ? (answer as ImportReport) : answer.report;
    if (report) {
      add(total, report, part, onError);
      if (report.id) ids.push(report.id);
    }
    bar.update(bytes, total.rows);
    if (!res.ok) throw new CliFailure(`the server answered ${res.status}: ${answer.detail ?? 'no detail'} (${total.imported} rows imported so far; a re-run skips them)`);
  }
  return { ...total, id: ids[0] ?? null, ...(ids.length > 1 ? { ids } : {}) } as ImportReport;
}

function add(total: ImportReport, r: ImportReport, part: Part, onError: (e: RowError) => void) {
  total.format = r.format;
  total.rows += r.rows;
  total.imported += r.imported;
  for (const k of Object.keys(total.skipped) as Array<keyof ImportReport['skipped']>) total.skipped[k] += r.skipped[k];
  if (r.mails_queued !== undefined) total.mails_queued = (total.mails_queued ?? 0) + r.mails_queued;
  if (r.state === 'stopped') total.state = 'stopped';
  for (const e of r.errors) {
    const mapped = { ...e, line: part.fileLine.get(e.line) ?? e.line };
    if (total.errors.length < MAX_REPORTED_ERRORS) total.errors.push(mapped);
    onError(mapped);
  }
}
