import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { Option, type Command } from 'commander';
import { LOCAL_EXPORT_PAGE } from '../db/queries/export';
import { findList } from '../db/queries/lists';
import { openExportDb } from '../db/sqlite-reader';
import { exportChunks } from '../services/export';
import { CliFailure, linkOrigin, withDatabase } from './common';

/** `listgate export <list>`: the API's export, read straight from the database in keyset pages. */
export function registerExport(program: Command): Command {
  return program
    .command('export')
    .description('write the confirmed subscribers of a list (CSV or NDJSON) to stdout or a file')
    .argument('<list>', 'list slug')
    .addOption(new Option('--format <format>', 'output format').choices(['csv', 'ndjson']).default('csv'))
    .option('--out <file>', 'write to this file instead of stdout')
    .action(async (slug: string, o: { format: 'csv' | 'ndjson'; out?: string }) => {
      await withDatabase(async (handle, config) => {
        const list = await findList(handle.db, slug);
        if (!list) throw new CliFailure(`no list "${slug}"`);
        // The unsubscribe links must be the server's, whatever this shell's PUBLIC_URL says.
        const origin = await linkOrigin(handle.db, config);
        const reader = openExportDb(handle);
        const sink: Writable = o.out ? createWriteStream(o.out) : process.stdout;
        const progress = progressLine(list.countConfirmed);
        let rows = 0;
        try {
          if (o.out) await once(sink, 'open');
          const onPage = (n: number) => progress((rows += n), false);
          for await (const chunk of exportChunks(reader.db, list.id, o.format, origin, { pageRows: LOCAL_EXPORT_PAGE, onPage })) await write(sink, chunk);
          if (o.out) await new Promise<void>((resolve, reject) => sink.end((err?: Error | null) => (err ? reject(err) : resolve())));
        } catch (err) {
          throw new CliFailure(`export failed after ${rows} rows: ${(err as Error).message}`);
        } finally {
          reader.close();
        }
        progress(rows, true);
      });
    });
}

/** Waits for the sink to drain when it is full, so memory stays at about one page. */
async function write(sink: Writable, chunk: string): Promise<void> {
  if (!sink.write(chunk)) await Promise.race([once(sink, 'drain'), once(sink, 'error').then(([e]) => Promise.reject(e))]);
}

/** One line on stderr, rewritten in place on a terminal; only the final count elsewhere. */
function progressLine(total: number) {
  const tty = process.stderr.isTTY;
  let last = 0;
  return (rows: number, done: boolean) => {
    if (done) return void process.stderr.write(`${tty ? '\r\x1b[K' : ''}exported ${rows} subscribers\n`);
    if (!tty || Date.now() - last < 200) return;
    last = Date.now();
    process.stderr.write(`\rexporting ${rows} / ~${total} (${total ? Math.min(100, Math.floor((rows / total) * 100)) : 100}%)`);
  };
}
