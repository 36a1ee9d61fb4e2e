import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { BUSY_CODES } from './errors';
import { busyGate, groupCommit, type BusyGate } from './group-commit';
import type { Atomic, Db } from './types';
import { startWriterThread, writeIntent, type WriteIntent, type WriterThread } from './writer-thread';
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

/**
 * The writer's page cache (SQLite's default is 2 MiB). Indexes on random keys (tokens, hashes) touch
 * a page per row; with the default, a large import or a big list reads most of them back from the OS
 * for every chunk. Bounded: memory stays flat whatever the database's size.
 */
export const PAGE_CACHE_KIB = 64 * 1024;
const FAIL_FAST_MS = 1000;
// Kept at load: a test's fake timers must not stop the database.
const nextTurn = globalThis.setImmediate;

export type SqliteHandle = {
  db: Db;
  atomic: Atomic;
  sqlite: Database.Database;
  /** A separate read-only connection for long reads (exports): writes never wait on it. */
  openReader(): Database.Database;
  /**
   * Moves the atomic groups to a thread of their own (src/db/writer-thread.ts): the server's, not
   * the CLI's. `atomic` above stays on this connection; use the one answered. Null for `:memory:`.
   */
  startWriterThread(onError?: (message: string) => void): WriterThread | null;
  close(): void;
};

/** Opens (creating if needed) the SQLite file, applies migrations, and returns the Node ports. */
export function openSqlite(path: string): SqliteHandle {
  const memory = path === ':memory:';
  if (!memory) mkdirSync(dirname(resolve(path)), { recursive: true });
  const sqlite = new Database(path);
  sqlite.pragma('journal_mode = WAL');
  for (const pragma of CONNECTION_PRAGMAS) sqlite.pragma(pragma);
  const gate = busyGate(sqlite, { busyTimeoutMs: BUSY_TIMEOUT_MS, failFastMs: FAIL_FAST_MS, busyCodes: BUSY_CODES });
  const intent = writeIntent();
  cacheStatements(sqlite, gate, intent);
  const db = drizzle(sqlite, { schema });
  migrate(db, { migrationsFolder });

  const group = groupCommit(sqlite, { ...gate, nextTurn });
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
    startWriterThread(onError) {
      if (memory) return null;
      return startWriterThread(path, db as unknown as Db, { intent, busyTimeoutMs: BUSY_TIMEOUT_MS, failFastMs: FAIL_FAST_MS, pragmas: WRITER_PRAGMAS, onError });
    },
    close: () => sqlite.close(),
  };
}

/** Every writing connection's settings (this one's and the writer thread's). */
const CONNECTION_PRAGMAS = [
  'synchronous = NORMAL',
  'foreign_keys = ON',
  `cache_size = -${PAGE_CACHE_KIB}`,
  // Checkpoint every 10,000 WAL pages (40 MiB) instead of 1,000: a page rewritten by many small
  // transactions (an import's chunks) is copied into the file once per checkpoint, not once per few.
  'wal_autocheckpoint = 10000',
];

/**
 * The writer thread's: its transactions hold a savepoint per member (src/db/group-commit.ts), and
 * SQLite copies every page a savepoint first changes into a sub-journal, by default a temporary file:
 * a write call per page, per member. In memory the signup's statements took about a third less time
 * (bench/RESULTS.md, round 6). Its statements are a group's few rows: no large sort spills there,
 * and the main connection (console queries, imports) keeps temporary data on disk.
 */
const WRITER_PRAGMAS = [...CONNECTION_PRAGMAS, 'temp_store = MEMORY'];

/**
 * drizzle prepares every query anew, and SQLite compiles each statement together with its
 * triggers: preparing the signup's INSERT costs three times as much as running it (bench/RESULTS.md).
 * Statements are therefore kept by SQL text (parameters are bound per run, so the text repeats).
 * A statement still being iterated is never handed out twice, and result modes that a caller may
 * have switched on (raw, pluck, expand) are reset before reuse.
 */
function cacheStatements(sqlite: Database.Database, gate: BusyGate, intent: WriteIntent, max = 500) {
  const cache = new Map<string, Database.Statement>();
  const prepare = sqlite.prepare.bind(sqlite);
  sqlite.prepare = ((source: string) => {
    const cached = cache.get(source);
    if (cached && !cached.busy) {
      if (cached.reader) cached.raw(false).pluck(false).expand(false);
      return cached;
    }
    const statement = guarded(prepare(source), gate, sqlite, intent);
    if (!cached) {
      if (cache.size >= max) cache.delete(cache.keys().next().value!);
      cache.set(source, statement);
    }
    return statement;
  }) as typeof sqlite.prepare;
}

/**
 * Raises the write intent; lowered after the statement (autocommit) or, when this connection is in
 * a transaction that better-sqlite3 ends itself (`db.transaction()`), at the end of the turn.
 */
function claim(sqlite: Database.Database, intent: WriteIntent) {
  if (intent.held) return;
  intent.claim();
  const check = () => (sqlite.open && sqlite.inTransaction ? setTimeout(check, 5) : intent.release());
  nextTurn(check);
}

/**
 * The statement's ways of running, each passing through the gate (drizzle uses run, get, all, raw()).
 * A statement that writes raises the write intent for the writer thread (src/db/writer-thread.ts)
 * until this connection is out of its transaction again.
 */
function guarded(statement: Database.Statement, gate: BusyGate, sqlite: Database.Database, intent: WriteIntent): Database.Statement {
  // The class's own method, looked up per call (so an instrumented prototype is still honoured).
  const proto = Object.getPrototypeOf(statement) as Record<string, (...args: unknown[]) => unknown>;
  for (const method of ['run', 'get', 'all', 'iterate'] as const) {
    Object.defineProperty(statement, method, {
      value(...args: unknown[]) {
        gate.before();
        if (!statement.readonly) claim(sqlite, intent);
        try {
          return proto[method].apply(statement, args);
        } catch (err) {
          gate.failed(err);
          throw err;
        } finally {
          if (intent.held && !sqlite.inTransaction) intent.release();
        }
      },
    });
  }
  return statement;
}
