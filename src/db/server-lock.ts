import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';

export class ServerLockError extends Error {}

/** The lock file beside the database: `<DATABASE_PATH>.lock`. */
export const lockPathOf = (databasePath: string) => `${databasePath}.lock`;

/**
 * One server per database. The lock is an exclusive SQLite lock on `<DATABASE_PATH>.lock`, that is
 * an fcntl lock the kernel drops when the process ends, however it ends: a crashed or killed server
 * never leaves it stuck, and nothing needs cleaning up. It is a separate file, so the CLI (exports,
 * backups, keys) keeps working on the database beside a running server.
 */
export function acquireServerLock(databasePath: string): { release(): void } {
  if (databasePath === ':memory:') return { release() {} };
  const path = lockPathOf(databasePath);
  mkdirSync(dirname(resolve(path)), { recursive: true });
  const lock = new Database(path);
  try {
    lock.pragma('busy_timeout = 0');
    lock.pragma('journal_mode = MEMORY');
    // In EXCLUSIVE locking mode the lock a write takes is kept until the connection closes.
    lock.pragma('locking_mode = EXCLUSIVE');
    lock.exec('CREATE TABLE IF NOT EXISTS server (pid INTEGER NOT NULL, started_at INTEGER NOT NULL)');
    lock.transaction(() => {
      lock.prepare('DELETE FROM server').run();
      lock.prepare('INSERT INTO server (pid, started_at) VALUES (?, ?)').run(process.pid, Date.now());
    })();
  } catch (err) {
    lock.close();
    if ((err as { code?: string }).code?.startsWith('SQLITE_BUSY')) {
      throw new ServerLockError(
        `another listgate server is already running on ${databasePath}: one server per database. Stop it first, or set another DATABASE_PATH.`,
      );
    }
    throw err;
  }
  return { release: () => lock.close() };
}

/** True while a server holds the lock of `databasePath` (for commands that need the server stopped). */
export function serverRunning(databasePath: string): boolean {
  try {
    acquireServerLock(databasePath).release();
    return false;
  } catch (err) {
    if (err instanceof ServerLockError) return true;
    throw err;
  }
}
