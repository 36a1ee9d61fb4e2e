import { drizzle } from 'drizzle-orm/d1';
import type { Atomic, Db } from '../deps';
import * as schema from './schema';

/** The Workers ports over a D1 binding; statements of one atomic group go in one db.batch(). */
export function openD1(binding: D1Database): { db: Db; atomic: Atomic } {
  const db = drizzle(binding, { schema });
  const atomic: Atomic = async (build) => {
    const statements = build(db as unknown as Db);
    if (statements.length === 0) return;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    await db.batch(statements as any);
  };
  return { db: db as unknown as Db, atomic };
}
