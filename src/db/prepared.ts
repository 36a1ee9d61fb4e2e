import { is, Param, Placeholder } from 'drizzle-orm';
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

/**
 * A class rather than an object literal with its own `run` closure: a group is built per request,
 * and under tsx (`npm start`) every named closure made per call is also renamed per call (esbuild's
 * keepNames), which cost a signup 1 % of the event loop (bench/RESULTS.md, round 7).
 */
class Bound implements BoundStatement {
  constructor(
    readonly prepared: PreparedStatement,
    readonly values: Record<string, unknown>,
    readonly mode: BoundMode,
  ) {}
  run() {
    return this.prepared[this.mode](this.values);
  }
}

export function bound(prepared: PreparedStatement, values: Record<string, unknown>, mode: BoundMode = 'run'): BoundStatement {
  return new Bound(prepared, values, mode);
}

/** One parameter of a prepared query: a value as it stands, or a placeholder's name (and its column's encoder). */
type Slot = { name: null; value: unknown } | { name: string; encoder: { mapToDriverValue(value: unknown): unknown } | null };
const slotsOf = new WeakMap<object, Slot[]>();

/**
 * The bound parameters of `statement`: what drizzle's `fillPlaceholders(getQuery().params, values)`
 * answers, with the placeholders found once per prepared query instead of on every call (drizzle
 * checks every parameter's class twice or three times a call: 2 % of a signup's event loop, round 7).
 */
export function boundParams(statement: Pick<BoundStatement, 'prepared' | 'values'>): unknown[] {
  let slots = slotsOf.get(statement.prepared);
  if (slots === undefined) {
    slots = statement.prepared.getQuery().params.map((p): Slot => {
      if (is(p, Placeholder)) return { name: p.name, encoder: null };
      if (is(p, Param) && is(p.value, Placeholder)) return { name: p.value.name, encoder: p.encoder };
      return { name: null, value: p };
    });
    slotsOf.set(statement.prepared, slots);
  }
  const { values } = statement;
  const params = new Array<unknown>(slots.length);
  for (let i = 0; i < slots.length; i++) {
    const slot = slots[i];
    if (slot.name === null) {
      params[i] = slot.value;
      continue;
    }
    if (!(slot.name in values)) throw new Error(`No value for placeholder "${slot.name}" was provided`);
    params[i] = slot.encoder ? slot.encoder.mapToDriverValue(values[slot.name]) : values[slot.name];
  }
  return params;
}

export const isBound = (s: unknown): s is BoundStatement =>
  typeof s === 'object' && s !== null && 'prepared' in s && 'values' in s;
