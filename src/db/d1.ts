import { drizzle } from 'drizzle-orm/d1';
import type { Atomic, Db } from './types';
import { boundParams, isBound } from './prepared';
import * as schema from './schema';

/**
 * The Workers ports over a D1 binding; statements of one atomic group go in one batch.
 * Builders go through drizzle's db.batch(); a group holding prepared statements (src/db/prepared.ts)
 * binds every member's drizzle-built SQL and parameters itself into the binding's batch().
 */
export function openD1(binding: D1Database): { db: Db; atomic: Atomic } {
  const db = drizzle(binding, { schema });
  const atomic: Atomic = async (build) => {
    const statements = build(db as unknown as Db);
    if (statements.length === 0) return [];
    if (!statements.some(isBound)) {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      return await db.batch(statements as any);
    }
    const [first] = statements;
    if (statements.length === 1 && isBound(first)) return [await first.prepared[first.mode](first.values)];
    if (statements.some((s) => isBound(s) && s.mode !== 'run')) throw new Error('rows come back from a single statement only on D1');
    return await binding.batch(
      statements.map((s) => {
        if (isBound(s)) {
          return binding.prepare(s.prepared.getQuery().sql).bind(...boundParams(s));
        }
        const q = (s as unknown as { toSQL(): { sql: string; params: unknown[] } }).toSQL();
        return binding.prepare(q.sql).bind(...q.params);
      }),
    );
  };
  return { db: db as unknown as Db, atomic };
}
