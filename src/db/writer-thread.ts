import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import * as drizzleOrm from 'drizzle-orm';
import { BUSY_CODES } from './errors';
import { busyGate, groupCommit } from './group-commit';
import { boundParams, isBound, type BoundStatement } from './prepared';
import type { Atomic, AtomicStatement, Db } from './types';

/**
 * The server's atomic groups (signups, confirms, one-click unsubscribes, ...) written by a thread of
 * their own, with a connection of its own, so that SQLite's part of a signup (the statements, the
 * commit's WAL append: about half of its CPU, bench/RESULTS.md) runs on another core than the
 * requests' HTTP, parsing and checks.
 *
 * - The main thread builds each group's statements as before and sends their SQL and bound
 *   parameters (drizzle's own, placeholders filled as drizzle fills them); the thread runs them in
 *   src/db/group-commit.ts (the same function, from its source text): every group that arrives
 *   within one turn of the thread's loop joins one transaction, each in a savepoint, and a group's
 *   promise settles only after its COMMIT. Rows (RETURNING) are mapped back to drizzle's fields on
 *   the main thread, as drizzle maps them.
 * - The main connection still writes (the outbox, keys, settings, ...). Before one of its writes it
 *   raises a flag the thread reads before each BEGIN: the thread lets the main write go first (at
 *   most WAIT_FOR_MAIN_MS), so the two never take turns at failing each other's busy waits.
 * - Errors come back with SQLite's code, so a full disk, a held lock or a read-only file answer 503
 *   exactly as on the main connection (src/db/errors.ts).
 *
 * Only for a file: an in-memory database (tests, `:memory:`) keeps its writes on the main connection.
 */
export type WriterThread = {
  atomic: Atomic;
  stop(): Promise<void>;
  /** Ends the thread at once, as a crash would (what it held is refused; the next group starts another). For tests. */
  kill(): Promise<void>;
};

/**
 * One statement as it travels: its SQL (the number of a text sent before, or the text itself), bound
 * values, how it runs ('get'/'all' with `raw`: arrays, mapped here).
 */
type WireStatement = [sql: number | string, params: unknown[], mode: 'run' | 'get' | 'all', raw: boolean];
/** What this side posts: new SQL texts with their numbers, then the groups. */
type Batch = { define: Array<[number, string]>; groups: Array<[number, WireStatement[]]> };
type WireError = { message: string; code?: string; name?: string };
type Reply = [id: number, ok: boolean, payload: unknown];

/** How long the thread lets the main connection's write go first before it begins anyway. */
const WAIT_FOR_MAIN_MS = 1000;
/** How a group the thread can no longer write is refused (src/db/errors.ts reads it as a storage fault: 503). */
export const WRITER_STOPPED = 'the database writer thread stopped';
/**
 * Groups are handed over at the end of the turn, or sooner once this many are waiting: the thread
 * starts writing while this side still reads the rest of the turn's requests (at the end of the turn
 * only, the two sides took turns at being idle).
 */
const POST_EVERY = 4;
const STOP_WAIT_MS = 5000;
// Kept at load: a test's fake timers must not hold the writes back.
const nextTurn = globalThis.setImmediate;

/** The main connection's flag: 1 while it writes (src/db/sqlite.ts raises and lowers it). */
export type WriteIntent = { claim(): void; release(): void; readonly held: boolean };

export function writeIntent(): WriteIntent & { flag: Int32Array } {
  const flag = new Int32Array(new SharedArrayBuffer(4));
  let held = false;
  return {
    flag,
    get held() {
      return held;
    },
    claim() {
      if (held) return;
      held = true;
      Atomics.store(flag, 0, 1);
    },
    release() {
      if (!held) return;
      held = false;
      Atomics.store(flag, 0, 0);
      Atomics.notify(flag, 0);
    },
  };
}

/**
 * drizzle's own row mapping (what its prepared get/all on better-sqlite3 call), exported by the
 * package at run time but left out of its type declarations.
 */
const { mapResultRow } = drizzleOrm as unknown as {
  mapResultRow(fields: unknown, row: unknown[], joinsNotNullableMap?: Record<string, boolean>): unknown;
};

type Prepared = BoundStatement['prepared'] & {
  fields?: unknown;
  customResultMapper?: (rows: unknown[][]) => unknown;
  joinsNotNullableMap?: Record<string, boolean>;
};

/**
 * Numbers for SQL texts, so that a hot statement crosses to the thread as a number instead of its
 * kilobyte or two of text (copied, then hashed to find its prepared statement, on every signup).
 * Bounded: past MAX_NAMED_TEXTS, new texts travel as text (builders can make many, say with IN lists).
 */
const MAX_NAMED_TEXTS = 1000;
function sqlNames() {
  const ids = new Map<string, number>();
  let define: Array<[number, string]> = [];
  return {
    name(sql: string): number | string {
      let id = ids.get(sql);
      if (id === undefined) {
        if (ids.size >= MAX_NAMED_TEXTS) return sql;
        ids.set(sql, (id = ids.size + 1));
        define.push([id, sql]);
      }
      return id;
    },
    /** The texts the thread has not been told of yet. */
    take() {
      const taken = define;
      define = [];
      return taken;
    },
    /** A new thread knows none of them. */
    forget() {
      define = [...ids].map(([sql, id]) => [id, sql]);
    },
  };
}

function toWire(statement: AtomicStatement, name: (sql: string) => number | string): WireStatement {
  if (isBound(statement)) {
    const prepared = statement.prepared as Prepared;
    const query = prepared.getQuery();
    const mapped = statement.mode !== 'run' && Boolean(prepared.fields || prepared.customResultMapper);
    return [name(query.sql), boundParams(statement), statement.mode, mapped];
  }
  const query = (statement as unknown as { toSQL(): { sql: string; params: unknown[] } }).toSQL();
  return [name(query.sql), query.params, 'run', false];
}

/** What drizzle's prepared query would have answered for these rows (its get/all on better-sqlite3). */
function fromWire(statement: AtomicStatement, result: unknown): unknown {
  if (!isBound(statement) || statement.mode === 'run') return result;
  const prepared = statement.prepared as Prepared;
  if (!prepared.fields && !prepared.customResultMapper) return result;
  const mapRow = (row: unknown[]) => mapResultRow(prepared.fields, row, prepared.joinsNotNullableMap);
  if (statement.mode === 'get') {
    if (result === undefined) return undefined;
    return prepared.customResultMapper ? prepared.customResultMapper([result as unknown[]]) : mapRow(result as unknown[]);
  }
  const rows = result as unknown[][];
  return prepared.customResultMapper ? prepared.customResultMapper(rows) : rows.map(mapRow);
}

function fromWireError(e: WireError): Error {
  return Object.assign(new Error(e.message), e.code ? { code: e.code } : {}, e.name ? { name: e.name } : {});
}

/**
 * The thread's program, run from its source text (so the build needs no second file): plain
 * JavaScript once types are erased, using nothing but its arguments and the thread's globals.
 */
function writerProgram(require: (id: string) => unknown, commitGroups: typeof groupCommit, gateOf: typeof busyGate) {
  const { parentPort, workerData } = require('node:worker_threads') as typeof import('node:worker_threads');
  const Database = require(workerData.driver) as typeof import('better-sqlite3');
  const { path, flag, busyTimeoutMs, failFastMs, busyCodes, waitForMainMs, pragmas } = workerData as {
    path: string;
    flag: Int32Array;
    busyTimeoutMs: number;
    failFastMs: number;
    busyCodes: RegExp;
    waitForMainMs: number;
    pragmas: string[];
  };
  const db = new Database(path, { fileMustExist: true });
  for (const pragma of pragmas) db.pragma(pragma);
  const gate = gateOf(db, { busyTimeoutMs, failFastMs, busyCodes });
  const texts = new Map<number, string>();
  const statements = new Map<number | string, import('better-sqlite3').Statement>();
  const prepare = (sql: number | string) => {
    let statement = statements.get(sql);
    if (!statement) {
      // Texts sent as text are many and short-lived: only the last 500 stay prepared.
      if (typeof sql === 'string' && statements.size >= 500 + texts.size) {
        for (const key of statements.keys()) if (typeof key === 'string' && statements.delete(key)) break;
      }
      const source = typeof sql === 'string' ? sql : texts.get(sql);
      if (source === undefined) throw new Error(`statement ${sql} was never defined`);
      statements.set(sql, (statement = db.prepare(source)));
    }
    return statement;
  };
  const group = commitGroups(db, {
    before() {
      // The main connection wants to write: let it go first.
      const start = Date.now();
      while (Atomics.load(flag, 0) === 1 && Date.now() - start < waitForMainMs) Atomics.wait(flag, 0, 1, 10);
      gate.before();
    },
    failed: gate.failed,
  });
  const run = (members: WireStatement[]) =>
    members.map(([source, params, mode, raw]) => {
      const statement = prepare(source);
      if (mode === 'run') return statement.run(...params);
      if (statement.reader) statement.raw(raw);
      return mode === 'get' ? statement.get(...params) : statement.all(...params);
    });
  let replies: Reply[] = [];
  const send = () => {
    const batch = replies;
    replies = [];
    parentPort!.postMessage(batch);
  };
  const reply = (entry: Reply) => {
    if (replies.length === 0) queueMicrotask(send);
    replies.push(entry);
  };
  let open = 0;
  let stopping = false;
  const finishIfStopped = () => {
    if (!stopping || open > 0) return;
    db.close();
    parentPort!.close();
  };
  parentPort!.on('message', (message: Batch | 'stop') => {
    if (message === 'stop') {
      stopping = true;
      finishIfStopped();
      return;
    }
    for (const [id, text] of message.define) texts.set(id, text);
    for (const [id, members] of message.groups) {
      open++;
      group(() => run(members)).then(
        (results) => reply([id, true, results]),
        (err: { message?: string; code?: string; name?: string }) => reply([id, false, { message: String(err?.message ?? err), code: err?.code, name: err?.name }]),
      ).finally(() => {
        open--;
        queueMicrotask(finishIfStopped);
      });
    }
  });
}

/** Starts the writer thread on `path` (already migrated); `db` builds the statements on this side. */
export function startWriterThread(
  path: string,
  db: Db,
  options: { intent: ReturnType<typeof writeIntent>; busyTimeoutMs: number; failFastMs: number; pragmas: string[]; onError?: (message: string) => void },
): WriterThread {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  // esbuild (tsx) may wrap named functions in __name(); the thread has no such helper of its own.
  const source = `const __name = (f) => f;\n(${writerProgram.toString()})(require, ${groupCommit.toString()}, ${busyGate.toString()});`;
  type Waiting = { statements: AtomicStatement[]; resolve: (results: unknown[]) => void; reject: (err: unknown) => void };
  const waiting = new Map<number, Waiting>();
  let nextId = 1;
  let outgoing: Array<[number, WireStatement[]]> = [];
  let stopping = false;
  const names = sqlNames();
  const name = (sql: string) => names.name(sql);

  /** A thread and its connection; should it die, what it held is refused (503) and the next group starts another. */
  const spawn = () => {
    const worker = new Worker(source, {
      eval: true,
      workerData: {
        path,
        driver,
        flag: options.intent.flag,
        busyTimeoutMs: options.busyTimeoutMs,
        failFastMs: options.failFastMs,
        busyCodes: BUSY_CODES,
        waitForMainMs: WAIT_FOR_MAIN_MS,
        pragmas: options.pragmas,
      },
    });
    worker.unref();
    names.forget();
    worker.on('message', (batch: Reply[]) => {
      for (const [id, ok, payload] of batch) {
        const w = waiting.get(id);
        if (!w) continue;
        waiting.delete(id);
        if (!ok) w.reject(fromWireError(payload as WireError));
        else {
          try {
            w.resolve((payload as unknown[]).map((result, i) => fromWire(w.statements[i], result)));
          } catch (err) {
            w.reject(err);
          }
        }
      }
    });
    let reason = '';
    worker.on('error', (err) => (reason = err.message));
    const exited = new Promise<void>((r) =>
      worker.once('exit', () => {
        thread = null;
        // The groups it held may or may not have committed: their requests are answered 503.
        const err = new Error(`${WRITER_STOPPED}${reason ? `: ${reason}` : ''}`);
        if (!stopping) options.onError?.(err.message);
        for (const w of waiting.values()) w.reject(err);
        waiting.clear();
        r();
      }),
    );
    return { worker, exited };
  };
  let thread: ReturnType<typeof spawn> | null = spawn();

  const flush = () => {
    if (outgoing.length === 0) return;
    const batch = outgoing;
    outgoing = [];
    const worker = (thread ??= spawn()).worker;
    worker.postMessage({ define: names.take(), groups: batch } satisfies Batch);
  };

  const atomic: Atomic = (build) => {
    if (stopping) return Promise.reject(new Error(WRITER_STOPPED));
    let statements: AtomicStatement[];
    let wire: WireStatement[];
    try {
      statements = build(db);
      wire = statements.map((statement) => toWire(statement, name));
    } catch (err) {
      return Promise.reject(err);
    }
    if (statements.length === 0) return Promise.resolve([]);
    const id = nextId++;
    if (outgoing.length === 0) nextTurn(flush);
    outgoing.push([id, wire]);
    if (outgoing.length >= POST_EVERY) flush();
    return new Promise((resolve, reject) => waiting.set(id, { statements, resolve, reject }));
  };

  return {
    atomic,
    async kill() {
      const current = thread;
      if (!current) return;
      await current.worker.terminate();
      await current.exited;
    },
    /** Lets every group already handed over commit and answer, then closes the thread's connection. */
    async stop() {
      flush();
      stopping = true;
      if (!thread) return;
      const { worker, exited } = thread;
      worker.postMessage('stop');
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), STOP_WAIT_MS)));
      if ((await Promise.race([exited, late])) === 'late') await worker.terminate();
      clearTimeout(timer);
    },
  };
}
