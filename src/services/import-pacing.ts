import type { Deps } from '../deps';
import { holdImportMail, importsMailing } from '../db/queries/imports';
import { importMailVerdict } from '../domain/health';

/**
 * After delivery events land on these lists: a reconfirm import whose own mail has crossed the SES
 * review level for bounces or complaints gets the rest of its mail held back (a dusty list must not
 * wreck the sender's reputation). Stats show it (`imports[].mail`); the log says so once.
 */
export async function checkImportMail(deps: Pick<Deps, 'db' | 'clock' | 'config' | 'logger'>, listIds: number[]): Promise<void> {
  for (const imp of await importsMailing(deps.db, listIds)) {
    const reason = importMailVerdict({ sent: imp.mailsSent, bounces: imp.bounces, complaints: imp.complaints });
    if (!reason) continue;
    if (await holdImportMail(deps.db, imp.id, reason, deps.clock.now(), deps.config.CONFIRM_TTL_HOURS * 3_600_000)) {
      deps.logger.warn('import mail held back: its bounce or complaint rate crossed the review threshold', {
        import: imp.publicId,
        reason,
        sent: imp.mailsSent,
        bounces: imp.bounces,
        complaints: imp.complaints,
      });
    }
  }
}
