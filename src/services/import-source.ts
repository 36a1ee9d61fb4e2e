import { parse } from 'csv-parse/stream';
import { type Columns, columnKey, detectColumns, readSourceRow, type SourceFormat, type SourceRow } from '../domain/import-format';
import { invalidInput } from '../errors';

export type FileFormat = 'csv' | 'ndjson';

/** One data row of the file: the line it starts on, and the person it describes (null: not readable as a row). */
export type SourceRecord = { line: number; row: SourceRow | null };

export type Source = { format: SourceFormat; records: AsyncIterable<SourceRecord> };

/**
 * Reads an exported list streamed as CSV (a header row first; csv-parse, RFC 4180 quoting, UTF-8
 * with or without BOM) or NDJSON (one object per line), recognising its columns from the header
 * (or the first object's keys). Answers once the columns are known; rows follow as they arrive.
 * A file without an address column is refused (422) before anything is written.
 */
export async function openSource(body: ReadableStream<Uint8Array>, kind: FileFormat): Promise<Source> {
  const records = kind === 'csv' ? csvRecords(body) : ndjsonRecords(body);
  const iterator = records[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done) throw noColumns('The file is empty: it needs a header row with an email column.');
  const header = first.value;
  const columns = detectColumns(header.names);
  if (!columns) throw noColumns('No email column: name it email (or use an export of Mailchimp, Substack, Ghost, Buttondown or listmonk).');
  return { format: columns.format, records: rows(columns, header, iterator) };
}

const noColumns = (message: string) => invalidInput([{ field: '(body)', code: 'no_email_column', message }]);

export type RawRecord = { line: number; names: string[]; get: (key: string) => unknown; bad?: true };

async function* rows(columns: Columns, header: RawRecord, rest: AsyncIterator<RawRecord>): AsyncGenerator<SourceRecord> {
  // NDJSON: the first object is a row too (its keys were the "header").
  if (header.get !== NO_FIELDS) yield { line: header.line, row: header.bad ? null : readSourceRow(columns, header.get) };
  for (let r = await rest.next(); !r.done; r = await rest.next()) {
    yield { line: r.value.line, row: r.value.bad ? null : readSourceRow(columns, r.value.get) };
  }
}

const NO_FIELDS = () => undefined;

/**
 * Line breaks inside a record's quoted fields: `lines` as a person counts them, and `crlf`, the
 * CRLF pairs among them, which csv-parse's own count takes for two lines each.
 */
const breaksIn = (fields: string[]) => {
  let lines = 0;
  let crlf = 0;
  for (const f of fields) {
    if (!f.includes('\n') && !f.includes('\r')) continue;
    lines += f.match(/\r\n|\r|\n/g)!.length;
    crlf += f.split('\r\n').length - 1;
  }
  return { lines, crlf };
};

/**
 * The parser's input queue holds 1,024 chunks, however large: a file read faster than it is imported
 * would sit in memory whole. In pieces of 8 KiB that queue holds at most 8 MiB.
 */
function smallPieces(size = 8 * 1024): TransformStream<Uint8Array, Uint8Array> {
  return new TransformStream({
    transform(chunk, controller) {
      for (let at = 0; at < chunk.byteLength; at += size) controller.enqueue(chunk.subarray(at, at + size));
    },
  });
}

/**
 * The records of a CSV stream with the line each starts on; the first is the header (its `names`
 * are the column names, a data record's `names` its fields). The CLI splits files with it too.
 */
export async function* csvRecords(body: ReadableStream<Uint8Array>): AsyncGenerator<RawRecord> {
  const parser = parse({
    bom: true,
    info: true,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    record_delimiter: ['\r\n', '\n', '\r'],
  });
  let index: Map<string, number> | null = null;
  let overcount = 0;
  try {
    for await (const { record, info } of body.pipeThrough(smallPieces()).pipeThrough(parser) as unknown as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      // The line the record starts on: where it ends, less the breaks inside its fields.
      const breaks = breaksIn(record);
      overcount += breaks.crlf;
      const line = info.lines - overcount - breaks.lines;
      if (!index) {
        index = new Map();
        // The first column of a name wins (Mailchimp repeats UNSUB_CAMPAIGN_ID in some exports).
        record.forEach((name, i) => index!.has(columnKey(name)) || index!.set(columnKey(name), i));
        yield { line, names: record, get: NO_FIELDS };
        continue;
      }
      const at = index;
      yield { line, names: record, get: (key) => { const i = at.get(key); return i === undefined ? undefined : record[i]; } };
    }
  } catch (err) {
    const e = err as { code?: string; lines?: number; message?: string };
    if (typeof e.code === 'string' && e.code.startsWith('CSV_')) {
      throw invalidInput([{ field: '(body)', code: 'malformed_csv', message: `The CSV cannot be read near line ${e.lines ?? '?'}: ${e.code}` }]);
    }
    throw err;
  }
}

async function* ndjsonRecords(body: ReadableStream<Uint8Array>): AsyncGenerator<RawRecord> {
  let line = 0;
  let rest = '';
  const record = (text: string): RawRecord | null => {
    line++;
    if (text.trim() === '') return null;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      value = undefined;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return { line, names: [], get: () => undefined, bad: true };
    const fields = new Map(Object.entries(value).map(([k, v]) => [columnKey(k), v] as const));
    return { line, names: Object.keys(value), get: (key) => fields.get(key) };
  };
  // One decoder across chunks: a character split between two network reads is still one character.
  const decoder = new TextDecoder();
  for await (const bytes of body as unknown as AsyncIterable<Uint8Array>) {
    const text = decoder.decode(bytes, { stream: true });
    const parts = (rest + text).split('\n');
    rest = parts.pop()!;
    for (const part of parts) {
      const r = record(part.endsWith('\r') ? part.slice(0, -1) : part);
      if (r) yield r;
    }
  }
  const last = record(rest + decoder.decode());
  if (last) yield last;
}
