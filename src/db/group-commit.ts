import type Database from 'better-sqlite3';

/**
 * Group commit for the one Node connection: the writes that requests hand over within one turn of
 * the event loop run together in one transaction, each inside its own savepoint, and each request's
 * promise settles only after the COMMIT that holds its writes (the same durability as a transaction
 * of its own). A commit costs about as much as several signups' statements (the WAL append of the
 * list's counter page, the day's stats page and the indexes), so under load a group of N signups
 * pays for one instead of N (bench/RESULTS.md).
 *
 * - A member whose work throws is rolled back to its savepoint and rejected alone; should SQLite
 *   have abandoned the whole transaction (a full disk or I/O error can), the members still standing
 *   are run again in a new one.
 * - A failed BEGIN or COMMIT rejects every member of that transaction with the database's error,
 *   which answers 503 (src/db/errors.ts).
 * - A transaction stops taking members after `maxMs`; the rest wait for the next turn, so other
 *   requests are never held up for long (the contract's one-second rule).
 *
 * Members run synchronously: they may only run statements, never wait for anything.
 */
export type GroupCommit = <T>(work: () => T) => Promise<T>;

type Member = { work: () => unknown; resolve: (value: never) => void; reject: (err: unknown) => void; result?: unknown };

export type GroupCommitOptions = {
  /** How long one transaction may take members (default 25 ms). */
  maxMs?: number;
  /** Called before the transaction begins and with every error (a busyGate, below). */
  before?: () => void;
  failed?: (err: unknown) => void;
  /** How the flush waits for the end of the turn (default setImmediate as it is when called). */
  nextTurn?: (flush: () => void) => unknown;
};

/**
 * Self-contained (it uses only its arguments and globals): src/db/writer-thread.ts runs this same
 * function in its worker thread, from its source text.
 */
export function groupCommit(sqlite: Database.Database, options: GroupCommitOptions = {}): GroupCommit {
  const nextTurn = options.nextTurn ?? globalThis.setImmediate;
  const maxMs = options.maxMs ?? 25;
  const before = options.before ?? (() => {});
  const failed = options.failed ?? (() => {});
  // IMMEDIATE takes the write lock at once: when another process holds it, one wait (the busy
  // timeout) answers the whole group, instead of each member waiting in turn.
  const begin = sqlite.prepare('BEGIN IMMEDIATE');
  const commit = sqlite.prepare('COMMIT');
  const rollback = sqlite.prepare('ROLLBACK');
  const savepoint = sqlite.prepare('SAVEPOINT member');
  const release = sqlite.prepare('RELEASE member');
  const rollbackTo = sqlite.prepare('ROLLBACK TO member');

  let queue: Member[] = [];
  let scheduled = false;

  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    nextTurn(flush);
  };

  function flush() {
    scheduled = false;
    let todo = queue;
    queue = [];
    const deadline = performance.now() + maxMs;
    let next = 0;
    let standing: Member[] = [];
    // The member being run, until it stands or is rejected.
    let current: Member | null = null;
    const fail = (group: Member[], err: unknown) => {
      failed(err);
      for (const m of group) m.reject(err);
    };
    const open = () => {
      try {
        before();
        begin.run();
        return true;
      } catch (err) {
        fail(todo, err);
        return false;
      }
    };
    if (!open()) return;
    try {
      while (next < todo.length) {
        if (standing.length > 0 && performance.now() > deadline) break;
        const m = (current = todo[next++]);
        savepoint.run();
        try {
          m.result = m.work();
          release.run();
          standing.push(m);
          current = null;
        } catch (err) {
          failed(err);
          m.reject(err);
          current = null;
          if (sqlite.inTransaction) {
            rollbackTo.run();
            release.run();
            continue;
          }
          // SQLite abandoned the whole transaction (a full disk or an I/O error can): what stood in
          // it is gone, so it runs again, without the member that failed, in a new one.
          todo = standing.concat(todo.slice(next));
          next = 0;
          standing = [];
          if (!open()) return;
        }
      }
      commit.run();
    } catch (err) {
      // A failed COMMIT (or savepoint bookkeeping): nothing of this transaction stands.
      if (sqlite.inTransaction) rollback.run();
      fail(current ? standing.concat(current) : standing, err);
      standing = [];
    }
    for (const m of standing) m.resolve(m.result as never);
    if (next < todo.length) {
      queue = todo.slice(next).concat(queue);
      schedule();
    }
  }

  return <T>(work: () => T) =>
    new Promise<T>((resolve, reject) => {
      queue.push({ work, resolve: resolve as (value: never) => void, reject });
      schedule();
    });
}

export type BusyGate = { before(): void; failed(err: unknown): void };

/**
 * The busy gate of one connection: waits for another connection's write lock at most
 * `busyTimeoutMs`, and once such a wait has run out, fails at once (SQLITE_BUSY, answered 503 with
 * Retry-After) for `failFastMs`, instead of every statement waiting in turn. `busyCodes` is
 * src/db/errors.ts's BUSY_CODES (passed in, so that this stays self-contained). Self-contained like
 * groupCommit: the writer thread runs it from its source text too.
 */
export function busyGate(sqlite: Database.Database, options: { busyTimeoutMs: number; failFastMs: number; busyCodes: RegExp }): BusyGate {
  let failFastUntil = 0;
  sqlite.pragma(`busy_timeout = ${options.busyTimeoutMs}`);
  return {
    before() {
      if (failFastUntil === 0 || Date.now() < failFastUntil) return;
      failFastUntil = 0;
      sqlite.pragma(`busy_timeout = ${options.busyTimeoutMs}`);
    },
    failed(err) {
      const code = (err as { code?: unknown } | null)?.code;
      if (failFastUntil !== 0 || typeof code !== 'string' || !options.busyCodes.test(code)) return;
      failFastUntil = Date.now() + options.failFastMs;
      sqlite.pragma('busy_timeout = 0');
    },
  };
}
