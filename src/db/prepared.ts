import type { Db } from './types';

/**
 * Builds a drizzle statement once per Db, with `sql.placeholder(...)` where values go, and
 * `.prepare()`s it: a hot query then costs filling its parameters instead of drizzle rebuilding
 * the SQL text on every request (bench/RESULTS.md: 30-40 % of a signup's CPU). The SQL text and
 * its bound parameters are exactly what the builder would produce.
 */
export function preparedPerDb<T>(build: (db: Db) => T): (db: Db) => T {
  const built = new WeakMap<object, T>();
  return (db) => {
    let prepared = built.get(db);
    if (prepared === undefined) built.set(db, (prepared = build(db)));
    return prepared;
  };
}

/** What a prepared drizzle query offers on both drivers (sync on better-sqlite3, async on D1). */
export type PreparedStatement = {
  run(values?: Record<string, unknown>): unknown;
  get(values?: Record<string, unknown>): unknown;
  all(values?: Record<string, unknown>): unknown;
  getQuery(): { sql: string; params: unknown[] };
};

/**
 * A prepared statement with its values, as one member of an `atomic` group. better-sqlite3 runs
 * it inside the group's transaction; D1 binds the same SQL and parameters into its `batch()`
 * (drizzle's own batch accepts only builders: it would not fill the placeholders).
 */
export type BoundStatement = { run(): unknown; prepared: PreparedStatement; values: Record<string, unknown>; mode: BoundMode };

/**
 * How the statement runs, and so what the group answers for it: `run` (the driver's run result),
 * `get` (its first row, for RETURNING) or `all` (its rows). Rows come back only where the group
 * is that one statement on D1 (src/db/d1.ts), or on Node.
 */
export type BoundMode = 'run' | 'get' | 'all';

export function bound(prepared: PreparedStatement, values: Record<string, unknown>, mode: BoundMode = 'run'): BoundStatement {
  return { run: () => prepared[mode](values), prepared, values, mode };
}

export const isBound = (s: unknown): s is BoundStatement =>
  typeof s === 'object' && s !== null && 'prepared' in s && 'values' in s;
