import { createReadStream, statSync } from 'node:fs';
import { Readable } from 'node:stream';
import { Option, type Command } from 'commander';
import { findList } from '../db/queries/lists';
import { importHmacKey } from '../domain/ids';
import { ApiError } from '../errors';
import { importList, type ImportReport } from '../services/import';
import type { RowError } from '../services/import-chunk';
import type { FileFormat } from '../services/import-source';
import { addressHashSecret } from '../services/installation';
import { CliFailure, out, systemClock, usage, withDatabase } from './common';
import { countingStream, errorsFile, type ImportCliOptions, progressBar } from './import-progress';
import { importRemote } from './import-remote';

/**
 * `listgate import <list> <file>`: the API's import, straight into DATABASE_PATH (beside a running
 * server: each chunk is one short transaction), or with `--server` into a remote listgate (Workers)
 * in requests of at most `--rows-per-request` rows. The report is printed as JSON on stdout.
 */
export function registerImport(program: Command): Command {
  return program
    .command('import')
    .description('import an exported list (CSV with a header row, or NDJSON) with its consent')
    .argument('<list>', 'list slug')
    .argument('<file>', 'the file (Mailchimp, Substack, Ghost, Buttondown, listmonk exports, or email,name)')
    .addOption(new Option('--mode <mode>', 'confirmed, reconfirm or suppress').choices(['confirmed', 'reconfirm', 'suppress']).makeOptionMandatory())
    .option('--consent-source <text>', 'how consent was collected (required by --mode confirmed)')
    .option('--dry-run', 'report what would happen, write nothing')
    .option('--notify', 'webhooks and sender sync hear of the imported rows')
    .option('--errors <file>', 'write every refused row (line,email,code,suggestion) to this CSV file')
    .addOption(new Option('--format <format>', 'csv or ndjson (default: from the file name)').choices(['csv', 'ndjson']))
    .option('--server <url>', 'import into a listgate at this URL (e.g. a Worker) instead of DATABASE_PATH')
    .option('--key <key>', 'admin key for --server (default: LISTGATE_KEY)')
    .option('--rows-per-request <n>', 'with --server: rows per request (its IMPORT_MAX_ROWS_PER_REQUEST)', '10000')
    .action(async (slug: string, file: string, o: ImportCliOptions, cmd: Command) => {
      if (o.mode === 'confirmed' && !o.consentSource) usage(cmd, '--mode confirmed needs --consent-source: how consent was collected');
      let size: number;
      try {
        size = statSync(file).size;
      } catch {
        throw new CliFailure(`cannot read ${file}`);
      }
      const format: FileFormat = o.format ?? (/\.(nd)?jsonl?$/i.test(file) ? 'ndjson' : 'csv');
      const bar = progressBar(size);
      const errors = errorsFile(o.errors);
      let report: ImportReport;
      try {
        report = o.server ? await importRemote(slug, file, format, o, bar, errors.write) : await importLocal(slug, file, format, o, bar, errors.write);
      } catch (err) {
        if (err instanceof ApiError) {
          const partial = err.extra.report as ImportReport | undefined;
          if (partial) out(JSON.stringify(partial, null, 2));
          throw new CliFailure(`${err.detail}${partial ? ` (${partial.imported} rows were imported before; a re-run skips them)` : ''}`);
        }
        throw err;
      } finally {
        await errors.close();
      }
      bar.done(report);
      out(JSON.stringify(report, null, 2));
      if (report.state === 'stopped') throw new CliFailure('stopped between chunks: what was imported stays; run the same command again to import the rest');
    });
}

async function importLocal(slug: string, file: string, kind: FileFormat, o: ImportCliOptions, bar: ReturnType<typeof progressBar>, onError: (e: RowError) => void) {
  return withDatabase(async (handle, config) => {
    const list = await findList(handle.db, slug);
    if (!list) throw new CliFailure(`no list "${slug}"`);
    const secret = await addressHashSecret(handle.db).catch(() => {
      throw new CliFailure('this database has no address hash key yet: start the server once');
    });
    // A stop (Ctrl-C, SIGTERM) ends the import after the chunk being written.
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    let bytes = 0;
    let rows = 0;
    const body = (Readable.toWeb(createReadStream(file, { highWaterMark: 256 * 1024 })) as ReadableStream<Uint8Array>).pipeThrough(
      countingStream((n) => bar.update((bytes = n), rows)),
    );
    try {
      const deps = { config, db: handle.db, atomic: handle.atomic, clock: systemClock, hashKey: await importHmacKey(secret) };
      return await importList(deps, list, body, {
        mode: o.mode,
        consentSource: o.consentSource ?? null,
        notify: !!o.notify,
        dryRun: !!o.dryRun,
        kind,
        actor: 'cli',
        signal: stop.signal,
        onError,
        onProgress: (n) => bar.update(bytes, (rows = n)),
      });
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  });
}
