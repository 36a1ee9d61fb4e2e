import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { Command } from 'commander';
import { loadConfig } from '../config';
import { CliFailure, out } from './common';

/**
 * `listgate backup <file>`: SQLite's online backup API copies the database page by page while the
 * server keeps reading and writing, and the copy is a consistent snapshot (unlike copying the file,
 * which can tear a WAL database). It opens the database read-only and never migrates it.
 */
export function registerBackup(program: Command): Command {
  return program
    .command('backup')
    .description('write a consistent copy of the database to a file (safe while the server runs)')
    .argument('<file>', 'where to write the copy')
    .option('--force', 'overwrite the file if it exists')
    .action(async (file: string, o: { force?: boolean }) => {
      const config = loadConfig(process.env);
      if (!existsSync(config.DATABASE_PATH)) throw new CliFailure(`no database at ${config.DATABASE_PATH} (set DATABASE_PATH)`);
      if (existsSync(file) && !o.force) throw new CliFailure(`${file} exists; pass --force to overwrite it`);
      const db = new Database(config.DATABASE_PATH, { readonly: true, fileMustExist: true });
      try {
        db.pragma('busy_timeout = 5000');
        const result = await db.backup(file);
        out(`backup of ${config.DATABASE_PATH} written to ${file} (${result.totalPages} pages)`);
      } catch (err) {
        throw new CliFailure(`backup failed: ${(err as Error).message}`);
      } finally {
        db.close();
      }
    });
}
