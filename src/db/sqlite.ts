import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import type { Atomic, Db } from './types';
import * as schema from './schema';

export const migrationsFolder = resolve(dirname(fileURLToPath(import.meta.url)), '../../drizzle');

export type SqliteHandle = {
  db: Db;
  atomic: Atomic;
  sqlite: Database.Database;
  /** A separate read-only connection for long reads (exports): writes never wait on it. */
  openReader(): Database.Database;
  close(): void;
};

/** Opens (creating if needed) the SQLite file, applies migrations, and returns the Node ports. */
export function openSqlite(path: string): SqliteHandle {
  const memory = path === ':memory:';
  if (!memory) mkdirSync(dirname(resolve(path)), { recursive: true });
  const sqlite = new Database(path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  cacheStatements(sqlite);
  const db = drizzle(sqlite, { schema });
  migrate(db, { migrationsFolder });

  const atomic: Atomic = async (build) => {
    sqlite.transaction(() => {
      for (const statement of build(db as unknown as Db)) statement.run();
    })();
  };

  return {
    db: db as unknown as Db,
    atomic,
    sqlite,
    openReader() {
      if (memory) return sqlite;
      const reader = new Database(path, { readonly: true, fileMustExist: true });
      reader.pragma('busy_timeout = 5000');
      return reader;
    },
    close: () => sqlite.close(),
  };
}

/**
 * drizzle prepares every query anew, and SQLite compiles each statement together with its
 * triggers: preparing the signup's INSERT costs three times as much as running it (bench/RESULTS.md).
 * Statements are therefore kept by SQL text (parameters are bound per run, so the text repeats).
 * A statement still being iterated is never handed out twice, and result modes that a caller may
 * have switched on (raw, pluck, expand) are reset before reuse.
 */
function cacheStatements(sqlite: Database.Database, max = 500) {
  const cache = new Map<string, Database.Statement>();
  const prepare = sqlite.prepare.bind(sqlite);
  sqlite.prepare = ((source: string) => {
    const cached = cache.get(source);
    if (cached && !cached.busy) {
      if (cached.reader) cached.raw(false).pluck(false).expand(false);
      return cached;
    }
    const statement = prepare(source);
    if (!cached) {
      if (cache.size >= max) cache.delete(cache.keys().next().value!);
      cache.set(source, statement);
    }
    return statement;
  }) as typeof sqlite.prepare;
}
