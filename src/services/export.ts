import type { Db } from '../db/types';
import { EXPORT_PAGE, exportPage, positionCeiling } from '../db/queries/export';
import { CSV_HEADER, decodeCursor, encodeCursor, formatRows, rowObject } from '../domain/export-format';
import { invalidInput } from '../errors';

/**
 * One JSON page of the export after `cursor` (a `next_cursor` passed back), `limit` rows at most.
 * A walk shows what was confirmed when its first page was read (see WalkCursor): never an address twice.
 */
export async function exportJsonPage(db: Db, listId: number, publicUrl: string, limit: number, cursor?: string) {
  const at = cursor === undefined ? { after: 0 } : decodeCursor(cursor);
  if (at === null) throw invalidInput([{ field: 'cursor', code: 'invalid_cursor', message: 'pass back a next_cursor exactly as received' }]);
  const until = at.until ?? (await positionCeiling(db));
  // One row more than asked tells whether another page exists without a COUNT.
  const rows = await exportPage(db, listId, at.after, until, limit + 1);
  const page = rows.slice(0, limit);
  return {
    data: page.map((r) => rowObject(r, publicUrl)),
    next_cursor: rows.length > limit ? encodeCursor({ after: page[page.length - 1].seq, until }) : null,
  };
}

/**
 * The whole export as text chunks in a streaming format (the CSV header first), one keyset page a
 * chunk: the next page is read only when the consumer asks for it, so memory holds about one page
 * whatever the list size and a slow consumer slows the reads. Like a JSON walk, the stream shows what
 * was confirmed when it began, each address once. Pages hold `pageRows` rows (EXPORT_PAGE unless
 * told: LOCAL_EXPORT_PAGE on Node's own reader); `onPage` sees each page's row count.
 */
export async function* exportChunks(
  db: Db,
  listId: number,
  format: 'csv' | 'ndjson',
  publicUrl: string,
  opts: { pageRows?: number; onPage?: (rows: number) => void } = {},
): AsyncGenerator<string> {
  const { pageRows = EXPORT_PAGE, onPage } = opts;
  if (format === 'csv') yield CSV_HEADER;
  const until = await positionCeiling(db);
  for (let after = 0; ; ) {
    const rows = await exportPage(db, listId, after, until, pageRows);
    if (rows.length === 0) return;
    after = rows[rows.length - 1].seq;
    onPage?.(rows.length);
    yield formatRows(rows, format, publicUrl);
    if (rows.length < pageRows) return;
  }
}
