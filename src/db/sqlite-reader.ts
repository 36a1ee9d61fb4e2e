import { drizzle } from 'drizzle-orm/better-sqlite3';
import type { Db } from './types';
import * as schema from './schema';
import type { SqliteHandle } from './sqlite';

/**
 * Drizzle over a separate read-only connection (Node only), for exports: better-sqlite3 runs one
 * statement at a time per connection, so long reads there never hold up the writer's connection.
 */
export function openExportDb(handle: SqliteHandle): { db: Db; close(): void } {
  const reader = handle.openReader();
  const db = drizzle(reader, { schema }) as unknown as Db;
  return { db, close: () => (reader === handle.sqlite ? undefined : reader.close()) };
}
