import type { Deps } from '../deps';
import type { List, MailKind, OutboxMessage } from '../db/types';
import { addressHash } from '../domain/ids';
import { mailboxOf } from '../domain/providers';
import { renderConfirmation } from './templates';

/** What a queued mail is about, as the outbox reads it when a batch takes the mail. */
export type MailToCompose = {
  kind: MailKind;
  to: string;
  list: List | null;
  /** The subscription a confirmation or reminder is for; null for a test mail. */
  subscription: { signupId: string; name: string | null; state: string; mailboxHash: string; expiresAt: number | null; firstMailAt: number | null } | null;
};

const NOT_ME_TTL_SECONDS = 30 * 24 * 3600;

/**
 * Renders a queued mail now, from the list's settings of this moment, with fresh tokens: a
 * confirmation token lives CONFIRM_TTL_HOURS from now for a first mail, and never past the signup's
 * expiry for a later one (a resend or the reminder). Null when the mail must not go: its signup is
 * no longer pending (confirmed, unsubscribed, suppressed or gone) or its list is gone.
 */
export async function composeMail(deps: Pick<Deps, 'tokens' | 'config' | 'clock' | 'hashKey'>, mail: MailToCompose): Promise<OutboxMessage | null> {
  const { config } = deps;
  const list = mail.list;
  if (!list) return null;
  const now = deps.clock.now();
  const ttlSeconds = config.CONFIRM_TTL_HOURS * 3600;
  const sub = mail.subscription;
  let signup = `test-${list.slug}`;
  let mailboxHash: string;
  let expiresAt: number | undefined;
  if (mail.kind === 'test') {
    // A test's "this wasn't me" link really stops mail to the address it was sent to.
    mailboxHash = await addressHash(deps.hashKey, mailboxOf(mail.to.toLowerCase()));
  } else {
    if (!sub || sub.state !== 'pending') return null;
    signup = sub.signupId;
    mailboxHash = sub.mailboxHash;
    if (sub.firstMailAt !== null && sub.expiresAt !== null) expiresAt = sub.expiresAt;
  }
  const claims = { signup, list: list.slug };
  const [confirmToken, notMeToken] = await Promise.all([
    deps.tokens.sign({ ...claims, purpose: 'confirm' }, ttlSeconds, { expiresAt }),
    deps.tokens.sign({ list: list.slug, purpose: 'not_me', address: mailboxHash }, NOT_ME_TTL_SECONDS),
  ]);
  const message = renderConfirmation({
    kind: mail.kind,
    lang: list.language,
    listName: list.name,
    from: list.from ?? config.MAIL_FROM,
    replyTo: list.replyTo,
    to: mail.to,
    name: sub?.name ?? null,
    text: list.confirmationMail,
    footer: list.mailFooter,
    confirmUrl: `${config.PUBLIC_URL}/confirm?token=${confirmToken}`,
    notMeUrl: `${config.PUBLIC_URL}/not-me?token=${notMeToken}`,
    validHours: ((expiresAt ?? now + ttlSeconds * 1000) - now) / 3_600_000,
  });
  return { ...message, list: list.slug };
}
