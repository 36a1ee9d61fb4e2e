import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import type { Command } from 'commander';
import { loadConfig } from '../config';
import { CliFailure, out } from './common';

/** Flushes a file (or a folder's entry list) to the disk. */
export function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Where a copy is written before it takes its final name: a hidden file in the same folder. */
const partialName = (file: string) => join(dirname(file), `.${basename(file)}.partial-${process.pid}`);

/**
 * Writes a consistent copy of `source` to `file`: `VACUUM INTO` a hidden file beside it (one read
 * transaction, a snapshot that writes by the server during the copy cannot restart or tear, unlike
 * the page-by-page backup API), flushed to disk, then renamed into place. So `file` is either the
 * whole copy or absent, never partial. The source is opened read-only and never migrated.
 */
export function writeBackup(source: string, file: string, opts: { overwrite?: boolean } = {}): { pages: number } {
  const target = resolve(file);
  if (existsSync(target) && !opts.overwrite) throw new CliFailure(`${file} exists; pass --force to overwrite it`);
  mkdirSync(dirname(target), { recursive: true });
  const partial = partialName(target);
  rmSync(partial, { force: true });
  try {
    const db = new Database(source, { readonly: true, fileMustExist: true });
    try {
      // The CLI, not the server: it may wait for a writer's moment.
      db.pragma('busy_timeout = 10000');
      db.prepare('VACUUM INTO ?').run(partial);
    } finally {
      db.close();
    }
    fsyncPath(partial);
    renameSync(partial, target);
    fsyncPath(dirname(target));
  } catch (err) {
    rmSync(partial, { force: true });
    throw err instanceof CliFailure ? err : new CliFailure(`backup failed: ${(err as Error).message}`);
  }
  const copy = new Database(target, { readonly: true });
  try {
    return { pages: copy.pragma('page_count', { simple: true }) as number };
  } finally {
    copy.close();
  }
}

/** `listgate backup <file>`: a consistent copy, safe while the server runs (see writeBackup). */
export function registerBackup(program: Command): Command {
  return program
    .command('backup')
    .description('write a consistent copy of the database to a file (safe while the server runs)')
    .argument('<file>', 'where to write the copy (its folder is created)')
    .option('--force', 'overwrite the file if it exists')
    .action(async (file: string, o: { force?: boolean }) => {
      const config = loadConfig(process.env);
      if (!existsSync(config.DATABASE_PATH)) throw new CliFailure(`no database at ${config.DATABASE_PATH} (set DATABASE_PATH)`);
      const { pages } = writeBackup(config.DATABASE_PATH, file, { overwrite: o.force });
      out(`backup of ${config.DATABASE_PATH} written to ${file} (${pages} pages)`);
    });
}
