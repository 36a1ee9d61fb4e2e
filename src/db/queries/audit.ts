import type { Db } from '../../deps';
import { auditLog } from '../schema';

/** Records an admin action: who (key id, never the key), what, on what. */
export async function audit(
  db: Db,
  entry: { actor: string; action: string; target?: string | null; detail?: unknown; at: number },
): Promise<void> {
  await db.insert(auditLog).values({ at: entry.at, actor: entry.actor, action: entry.action, target: entry.target ?? null, detail: entry.detail ?? null });
}
