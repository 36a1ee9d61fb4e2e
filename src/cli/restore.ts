import { copyFileSync, existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import type { Command } from 'commander';
import { loadConfig } from '../config';
import { acquireServerLock, ServerLockError } from '../db/server-lock';
import { fsyncPath } from './backup';
import { CliFailure, confirmOrRefuse, out } from './common';

/** What a backup must be before it replaces the database: a sound SQLite file of listgate's. */
function checkBackup(file: string): void {
  if (!existsSync(file)) throw new CliFailure(`no backup at ${file}`);
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    const check = db.pragma('integrity_check', { simple: true });
    if (check !== 'ok') throw new CliFailure(`${file} is damaged (integrity_check: ${String(check)}); nothing was changed`);
    const tables = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>).map((t) => t.name));
    if (!tables.has('__drizzle_migrations') || !tables.has('lists')) throw new CliFailure(`${file} is not a listgate database; nothing was changed`);
  } catch (err) {
    if (err instanceof CliFailure) throw err;
    throw new CliFailure(`${file} cannot be read as a database (${(err as Error).message}); nothing was changed`);
  } finally {
    db?.close();
  }
}

/**
 * `listgate restore <file>`: puts a backup in place of the database, with the server stopped (the
 * server's lock is taken for the whole step, so none can start meanwhile). The database it replaces
 * is kept beside it, whole (its WAL folded in first), as `<DATABASE_PATH>.before-restore-<time>`.
 * The backup is copied under a temporary name, flushed, then renamed into place. Migrations newer
 * than the backup run at the server's next start.
 */
export function registerRestore(program: Command): Command {
  return program
    .command('restore')
    .description('replace the database with a backup (stop the server first); the old database is kept beside it')
    .argument('<file>', 'a file written by `listgate backup`')
    .option('--yes', 'do not ask for confirmation')
    .action(async (file: string, o: { yes?: boolean }, cmd: Command) => {
      const config = loadConfig(process.env);
      const target = resolve(config.DATABASE_PATH);
      checkBackup(file);
      let lock: { release(): void };
      try {
        lock = acquireServerLock(config.DATABASE_PATH);
      } catch (err) {
        if (err instanceof ServerLockError) throw new CliFailure(`a listgate server is running on ${config.DATABASE_PATH}: stop it first, then restore`);
        throw err;
      }
      try {
        await confirmOrRefuse(cmd, o.yes, `Replace the database at ${config.DATABASE_PATH} with ${file}?`, 'restore');
        let keptAt: string | undefined;
        if (existsSync(target)) {
          // Fold the WAL into the file, so the file alone is the whole old database.
          const old = new Database(target);
          old.pragma('wal_checkpoint(TRUNCATE)');
          old.close();
          keptAt = `${target}.before-restore-${new Date().toISOString().replace(/[:.]/g, '-')}`;
          renameSync(target, keptAt);
          // A WAL that still holds anything goes with it; an empty one and the index are dropped.
          if (existsSync(`${target}-wal`) && statSync(`${target}-wal`).size > 0) renameSync(`${target}-wal`, `${keptAt}-wal`);
        }
        for (const suffix of ['-wal', '-shm']) rmSync(`${target}${suffix}`, { force: true });
        const incoming = `${target}.restoring-${process.pid}`;
        copyFileSync(file, incoming);
        fsyncPath(incoming);
        renameSync(incoming, target);
        fsyncPath(dirname(target));
        out(`restored ${config.DATABASE_PATH} from ${file}${keptAt ? `; the database it replaced is at ${keptAt}` : ''}`);
      } finally {
        lock.release();
      }
    });
}
