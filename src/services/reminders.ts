import type { Deps } from '../deps';
import { queueReminder, reminderCandidates, skipReminders } from '../db/queries/reminders';
import { MAIL_WINDOW_MS } from '../db/queries/subscriptions';
import { randomToken } from '../domain/ids';

/**
 * Queues the one reminder of each pending signup that is due (the list's `reminder_after_hours`
 * after its first mail left): never when that mail bounced or drew a complaint, after "this wasn't
 * me" or a suppression (the signup is then no longer pending), nor after the signup expired. A
 * reminder counts in the mailbox's three mails per 24 hours; a full cap defers it to a later run.
 * Run every few seconds on Node and at each cron run on Workers. Answers how many it tried to queue.
 */
export async function queueDueReminders(deps: Pick<Deps, 'db' | 'atomic' | 'clock' | 'outbox' | 'logger'>): Promise<number> {
  const now = deps.clock.now();
  const candidates = await reminderCandidates(deps.db, now);
  await skipReminders(deps.db, candidates.filter((c) => c.bounced).map((c) => c.id), now);
  let queued = 0;
  for (const c of candidates.filter((c) => !c.bounced)) {
    await queueReminder(deps.atomic, { id: c.id, mailboxHash: c.mailboxHash, now, nonce: randomToken(12), windowBound: now - MAIL_WINDOW_MS });
    queued++;
  }
  if (queued) deps.outbox.wake();
  return queued;
}
