import type { Db } from '../types';
import { auditLog } from '../schema';

export type AuditEntry = { actor: string; action: string; target?: string | null; detail?: unknown; at: number };

/** Records an admin action: who (key id, never the key), what, on what (a keyed hash, never an address). */
export async function audit(db: Db, entry: AuditEntry): Promise<void> {
  await db.insert(auditLog).values({ at: entry.at, actor: entry.actor, action: entry.action, target: entry.target ?? null, detail: entry.detail ?? null });
}
