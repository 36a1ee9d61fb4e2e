import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { storageFault } from './errors';
import { groupCommit } from './group-commit';
import type { Atomic, Db } from './types';
import * as schema from './schema';

/**
 * The drizzle/ folder: the nearest one above this module (src/db/ when run from source, dist/ in
 * the build, where this module is bundled into the entry).
 */
export const migrationsFolder = (() => {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'drizzle', 'meta', '_journal.json'))) return join(dir, 'drizzle');
    if (dirname(dir) === dir) throw new Error('the drizzle/ migrations folder is missing');
  }
})();

/**
 * How long a statement waits for another connection's write lock. better-sqlite3 waits
 * synchronously, and while it waits every other request waits too: so the wait is short, and once
 * a wait has run out, statements fail at once for a second (503, Retry-After) instead of each
 * waiting in turn.
 */
export const BUSY_TIMEOUT_MS = 250;
const FAIL_FAST_MS = 1000;

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
  const gate = busyGate(sqlite);
  cacheStatements(sqlite, gate);
  const db = drizzle(sqlite, { schema });
  migrate(db, { migrationsFolder });

  const group = groupCommit(sqlite, gate);
  const atomic: Atomic = (build) => group(() => build(db as unknown as Db).map((statement) => statement.run()));

  return {
    db: db as unknown as Db,
    atomic,
    sqlite,
    openReader() {
      if (memory) return sqlite;
      const reader = new Database(path, { readonly: true, fileMustExist: true });
      reader.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
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
function cacheStatements(sqlite: Database.Database, gate: BusyGate, max = 500) {
  const cache = new Map<string, Database.Statement>();
  const prepare = sqlite.prepare.bind(sqlite);
  sqlite.prepare = ((source: string) => {
    const cached = cache.get(source);
    if (cached && !cached.busy) {
      if (cached.reader) cached.raw(false).pluck(false).expand(false);
      return cached;
    }
    const statement = guarded(prepare(source), gate);
    if (!cached) {
      if (cache.size >= max) cache.delete(cache.keys().next().value!);
      cache.set(source, statement);
    }
    return statement;
  }) as typeof sqlite.prepare;
}

type BusyGate = { before(): void; failed(err: unknown): void };

/** The short busy timeout, and the second of failing fast after a wait ran out (BUSY_TIMEOUT_MS). */
function busyGate(sqlite: Database.Database): BusyGate {
  let failFastUntil = 0;
  sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  return {
    before() {
      if (failFastUntil === 0 || Date.now() < failFastUntil) return;
      failFastUntil = 0;
      sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    },
    failed(err) {
      if (failFastUntil !== 0 || storageFault(err)?.kind !== 'busy') return;
      failFastUntil = Date.now() + FAIL_FAST_MS;
      sqlite.pragma('busy_timeout = 0');
    },
  };
}

/** The statement's ways of running, each passing through the gate (drizzle uses run, get, all, raw()). */
function guarded(statement: Database.Statement, gate: BusyGate): Database.Statement {
  // The class's own method, looked up per call (so an instrumented prototype is still honoured).
  const proto = Object.getPrototypeOf(statement) as Record<string, (...args: unknown[]) => unknown>;
  for (const method of ['run', 'get', 'all', 'iterate'] as const) {
    Object.defineProperty(statement, method, {
      value(...args: unknown[]) {
        gate.before();
        try {
          return proto[method].apply(statement, args);
        } catch (err) {
          gate.failed(err);
          throw err;
        }
      },
    });
  }
  return statement;
}
