import type { OutboxMessage } from '../../src/db/schema';

/**
 * Tokens out of sent mail, as a person would find them by clicking. Runtime-neutral: the Node
 * suites pass the recording mailer's `sent`, the contract cases pass `await h.mails()`.
 */
function tokenIn(mails: readonly OutboxMessage[], to: string, path: '/confirm' | '/not-me'): string {
  const mail = [...mails].reverse().find((m) => m.to.toLowerCase() === to.toLowerCase());
  if (!mail) throw new Error(`no mail to ${to}`);
  const m = mail.text.match(new RegExp(`${path}\\?token=([\\w.-]+)`));
  if (!m) throw new Error(`no ${path} link in the mail to ${to}`);
  return m[1];
}

/** The confirmation link's token in the newest mail to `to`. */
export const confirmTokenFor = (mails: readonly OutboxMessage[], to: string) => tokenIn(mails, to, '/confirm');

/** The "this wasn't me" link's token in the newest mail to `to`. */
export const notMeTokenFor = (mails: readonly OutboxMessage[], to: string) => tokenIn(mails, to, '/not-me');
