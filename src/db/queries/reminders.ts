import { and, eq, exists, gt, inArray, isNotNull, isNull, lte, sql } from 'drizzle-orm';
import type { Atomic, Db } from '../types';
import { addresses, deliveryEvents, lists, subscriptions } from '../schema';
import { queueAdmittedMail } from './outbox';

/** Reminders one run looks at: the rest wait for the next run. */
export const REMINDER_CHUNK = 200;

/**
 * Pending signups whose list sends a reminder and whose first mail left at least that long ago,
 * not reminded yet and not expired; `bounced` tells whether that mail bounced or drew a complaint.
 */
export async function reminderCandidates(db: Db, now: number) {
  return db
    .select({
      id: subscriptions.id,
      mailboxHash: subscriptions.mailboxHash,
      bounced: sql<number>`${exists(
        db
          .select({ one: sql`1` })
          .from(deliveryEvents)
          .where(
            and(
              eq(deliveryEvents.hash, subscriptions.mailboxHash),
              inArray(deliveryEvents.type, ['hard_bounce', 'soft_bounce', 'complaint']),
              sql`${deliveryEvents.at} >= ${subscriptions.firstMailAt}`,
            ),
          ),
      )}`.mapWith(Boolean),
    })
    .from(subscriptions)
    .innerJoin(lists, eq(lists.id, subscriptions.listId))
    .where(
      and(
        eq(subscriptions.state, 'pending'),
        isNotNull(subscriptions.firstMailAt),
        isNull(subscriptions.remindedAt),
        isNotNull(lists.reminderAfterHours),
        lte(subscriptions.firstMailAt, sql`${now} - ${lists.reminderAfterHours} * 3600000`),
        gt(subscriptions.expiresAt, now),
      ),
    )
    .limit(REMINDER_CHUNK)
    .all();
}

/** Decided against (the first mail bounced or drew a complaint): never asked again. */
export async function skipReminders(db: Db, ids: number[], now: number): Promise<void> {
  if (ids.length) await db.update(subscriptions).set({ remindedAt: now }).where(and(inArray(subscriptions.id, ids), isNull(subscriptions.remindedAt)));
}

/**
 * Queues one reminder if the mailbox's cap of three mails per 24 hours has room (the 15-minute
 * spacing does not apply), all in one group: the cap row takes the mail, the reminder joins the
 * outbox and the signup is marked reminded. With the cap full nothing changes: a later run tries again.
 */
export async function queueReminder(atomic: Atomic, r: { id: number; mailboxHash: string; now: number; nonce: string; windowBound: number }): Promise<void> {
  await atomic((tx) => [
    tx.insert(addresses).values({ key: r.mailboxHash }).onConflictDoNothing(),
    tx
      .update(addresses)
      .set({ mail3At: sql`${addresses.mail2At}`, mail2At: sql`${addresses.mail1At}`, mail1At: r.now, mailNonce: r.nonce })
      .where(and(eq(addresses.key, r.mailboxHash), sql`(${addresses.mail3At} IS NULL OR ${addresses.mail3At} <= ${r.windowBound})`)),
    queueAdmittedMail(tx, { kind: 'reminder', mailAt: r.now, now: r.now, mailboxHash: r.mailboxHash, nonce: r.nonce }, and(eq(subscriptions.id, r.id), eq(subscriptions.state, 'pending'), isNull(subscriptions.remindedAt))),
    tx
      .update(subscriptions)
      .set({ remindedAt: r.now })
      .where(and(eq(subscriptions.id, r.id), exists(tx.select({ one: sql`1` }).from(addresses).where(and(eq(addresses.key, r.mailboxHash), eq(addresses.mailNonce, r.nonce)))))),
  ]);
}
