import { desc, eq } from 'drizzle-orm';
import type { Db } from '../types';
import { auditLog } from '../schema';

export type AuditEntry = { actor: string; action: string; target?: string | null; detail?: unknown; at: number };

/** Records an admin action: who (key id, never the key), what, on what (a keyed hash, never an address). */
export async function audit(db: Db, entry: AuditEntry): Promise<void> {
  await db.insert(auditLog).values({ at: entry.at, actor: entry.actor, action: entry.action, target: entry.target ?? null, detail: entry.detail ?? null });
}

/** The latest entries about one target (a list's slug, a key's id), newest first (audit_log_target). */
export async function auditOf(db: Db, target: string, limit: number) {
  return db
    .select({ at: auditLog.at, actor: auditLog.actor, action: auditLog.action })
    .from(auditLog)
    .where(eq(auditLog.target, target))
    .orderBy(desc(auditLog.at), desc(auditLog.id))
    .limit(limit)
    .all();
}
