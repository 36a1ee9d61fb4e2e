import { sql } from 'drizzle-orm';
import type { Deps } from '../deps';

/** GET /healthz: the database answers. */
export async function checkHealth(deps: Pick<Deps, 'db'>): Promise<{ status: 'ok' }> {
  await deps.db.get(sql`SELECT 1`);
  return { status: 'ok' };
}
