import { createWriteStream, type WriteStream } from 'node:fs';
import type { ImportMode } from '../db/types';
import { csvField } from '../domain/export-format';
import type { RowError } from '../services/import-chunk';
import type { ImportReport } from '../services/import';
import type { FileFormat } from '../services/import-source';

/** What `listgate import` was given: read by the import into DATABASE_PATH and by the one into a remote server. */
export type ImportCliOptions = {
  mode: ImportMode;
  consentSource?: string;
  dryRun?: boolean;
  notify?: boolean;
  errors?: string;
  format?: FileFormat;
  server?: string;
  key?: string;
  rowsPerRequest: string;
};

/**
 * A progress bar on stderr for a file of `totalBytes`: share read, rows, rows per second and the
 * time left, redrawn in place at most five times a second on a terminal; elsewhere (a log) one
 * line per tenth of the file.
 */
export function progressBar(totalBytes: number, stream: NodeJS.WriteStream = process.stderr) {
  const started = Date.now();
  let lastDraw = 0;
  let lastTenth = -1;
  const clock = (s: number) => (Number.isFinite(s) ? `${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, '0')}` : '-:--');
  return {
    update(bytes: number, rows: number) {
      const share = totalBytes > 0 ? Math.min(1, bytes / totalBytes) : 1;
      const seconds = (Date.now() - started) / 1000;
      const rate = seconds > 0 ? rows / seconds : 0;
      const left = share > 0 ? seconds / share - seconds : Infinity;
      const text = `${Math.floor(share * 100)}% ${rows.toLocaleString('en')} rows ${Math.round(rate).toLocaleString('en')} rows/s ETA ${clock(left)}`;
      if (stream.isTTY) {
        if (Date.now() - lastDraw < 200 && share < 1) return;
        lastDraw = Date.now();
        const width = 30;
        const filled = Math.round(share * width);
        stream.write(`\r\x1b[K[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${text}`);
      } else if (Math.floor(share * 10) > lastTenth) {
        lastTenth = Math.floor(share * 10);
        stream.write(`importing: ${text}\n`);
      }
    },
    done(report: Pick<ImportReport, 'rows' | 'imported'>) {
      const seconds = (Date.now() - started) / 1000;
      stream.write(`${stream.isTTY ? '\r\x1b[K' : ''}read ${report.rows.toLocaleString('en')} rows, imported ${report.imported.toLocaleString('en')} in ${seconds.toFixed(1)} s\n`);
    },
  };
}

/** Counts the bytes that pass, for the progress bar. */
export function countingStream(onBytes: (total: number) => void): TransformStream<Uint8Array, Uint8Array> {
  let total = 0;
  return new TransformStream({
    transform(chunk, controller) {
      total += chunk.byteLength;
      onBytes(total);
      controller.enqueue(chunk);
    },
  });
}

/** `--errors FILE`: every refused row as CSV (line,email,code,suggestion), cells safe to open in a spreadsheet. */
export function errorsFile(path: string | undefined): { write(e: RowError): void; close(): Promise<void> } {
  if (!path) return { write() {}, close: async () => {} };
  const out: WriteStream = createWriteStream(path);
  out.write('line,email,code,suggestion\r\n');
  return {
    write: (e) => void out.write(`${e.line},${csvField(e.email)},${csvField(e.code)},${csvField(e.suggestion ?? '')}\r\n`),
    close: () => new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve()))),
  };
}
