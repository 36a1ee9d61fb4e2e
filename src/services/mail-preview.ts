import * as z from 'zod';
import type { Deps } from '../deps';
import type { List, OutboxMessage } from '../db/types';
import { audit } from '../db/queries/audit';
import { queueTestMail } from '../db/queries/outbox';
import { findSuppression } from '../db/queries/suppressions';
import { parseAddress } from '../domain/address';
import { listSettingsSchema } from '../domain/list-settings';
import { ApiError, invalidInput, validate } from '../errors';
import { composeMail } from '../mail/compose';
import { mailboxHashes } from './mailbox';

/** The list fields a preview may try out before saving them (the others do not change the mail). */
export const previewSchema = listSettingsSchema.pick({ name: true, from: true, language: true, confirmation_mail: true, reply_to: true, mail_footer: true }).partial();
export type PreviewInput = z.output<typeof previewSchema>;

const SAMPLE = { to: 'someone@example.com', name: 'Ada Lovelace' };

/**
 * The confirmation mail as it would be sent now, with sample data; `draft` fields (validated like
 * the list's) are merged over the saved settings without saving anything.
 */
export async function previewMail(deps: Pick<Deps, 'tokens' | 'config' | 'clock' | 'hashKey'>, list: List, draft: unknown = {}): Promise<Pick<OutboxMessage, 'subject' | 'html' | 'text'>> {
  const d = validate(previewSchema, draft ?? {});
  const merged: List = {
    ...list,
    ...(d.name !== undefined ? { name: d.name } : {}),
    ...(d.from !== undefined ? { from: d.from ?? null } : {}),
    ...(d.language !== undefined ? { language: d.language } : {}),
    ...(d.confirmation_mail !== undefined ? { confirmationMail: d.confirmation_mail ?? null } : {}),
    ...(d.reply_to !== undefined ? { replyTo: d.reply_to ?? null } : {}),
    ...(d.mail_footer !== undefined ? { mailFooter: d.mail_footer || null } : {}),
  };
  const subscription = { signupId: 'preview', name: SAMPLE.name, state: 'pending', mailboxHash: (await mailboxHashes(deps, SAMPLE.to)).mailboxHash, expiresAt: null, firstMailAt: null };
  const mail = (await composeMail(deps, { kind: 'confirmation', to: SAMPLE.to, list: merged, subscription }))!;
  return { subject: mail.subject, html: mail.html, text: mail.text };
}

/** Test mails per key: a few in a row, then one every 10 minutes. */
const TEST_MAIL_LIMIT = { burst: 3, perMinute: 0.1 };

/**
 * Queues a test of the list's confirmation mail to an operator's address (its links are samples
 * and confirm nobody). A suppressed address gets none (422), and test mails are rate-limited per key.
 */
export async function sendTestMail(deps: Pick<Deps, 'db' | 'clock' | 'hashKey' | 'rateLimiter' | 'outbox'>, list: List, to: unknown, actor: string): Promise<{ to: string }> {
  const address = parseAddress(to);
  if (!address.ok) throw invalidInput([{ field: 'to', code: address.code, message: address.message }], address.suggestion ? { suggestion: address.suggestion } : {});
  const { mailboxHash, legacyHash } = await mailboxHashes(deps, address.key);
  if (await findSuppression(deps.db, [mailboxHash, legacyHash])) {
    throw invalidInput([{ field: 'to', code: 'suppressed', message: 'This address is suppressed: it gets no mail, tests included.' }]);
  }
  const taken = await deps.rateLimiter.take(`test-mail:${actor}`, TEST_MAIL_LIMIT);
  if (!taken.ok) throw new ApiError('rate_limited', 'Too many test mails; try again later.', { headers: { 'Retry-After': String(taken.retryAfterSeconds) } });
  const now = deps.clock.now();
  await queueTestMail(deps.db, { listId: list.id, to: address.email, now });
  await audit(deps.db, { actor, action: 'list.test_mail', target: list.slug, detail: { to: mailboxHash }, at: now });
  deps.outbox.wake();
  return { to: address.email };
}
