import { eq } from 'drizzle-orm';
import type { Db, Deps } from '../../src/deps';
import type { SignupWrite } from '../../src/db/queries/subscriptions';
import { outbox } from '../../src/db/schema';
import { resendMailer } from '../../src/mail/resend';
import { testApp } from './app';
import { type ResendImitationOptions, startResendImitation } from './fakes/resend/node';

let writes = 0;
/**
 * What the signup service hands `writeSignup` for a new address, for tests below the HTTP layer;
 * ids unique per call. Its confirmation is queued only with `queueMail` (the cap admits a mail
 * whose signup id it can find).
 */
export function signupWrite(email: string, opts: { now?: number; mailAt?: number; listId?: number; queueMail?: boolean } = {}): SignupWrite {
  const now = opts.now ?? Date.now();
  const i = writes++;
  const id = (s: string) => `${s}${i}-${now}-${Math.random().toString(36).slice(2)}`;
  const freshSignupId = id('s');
  return {
    listId: opts.listId ?? 1, email, key: email, name: null, mailboxHash: id('m'), legacyHash: id('l'), publicId: id('sub_'), provider: 'other',
    consentHash: null, now, expiresAt: now + 86_400_000, freshSignupId, mailSignupId: opts.queueMail ? freshSignupId : '', unsubToken: id('u_'), mailNonce: id('n'),
    skipCooldown: false, mailAt: opts.mailAt ?? now, ip: '10.0.0.1', userAgent: null, source: null,
  };
}

/** Puts `addresses.length` rendered mails straight into the outbox, as signups would. */
export async function queueMails(db: Db, addresses: string[], now: number): Promise<void> {
  for (let i = 0; i < addresses.length; i += 500) {
    await db.insert(outbox).values(
      addresses.slice(i, i + 500).map((to) => ({
        to,
        message: { from: 'listgate <news@example.com>', to, subject: 'Please confirm', html: `<p>Hi <a href="http://localhost/confirm?token=${encodeURIComponent(to)}">confirm</a></p>`, text: `Confirm: http://localhost/confirm?token=${encodeURIComponent(to)}` },
        nextAttemptAt: now,
        createdAt: now,
      })),
    );
  }
}

export const addressesFor = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}@example.com`);

/** The app (in-memory SQLite, settable clock) sending through the real resend SDK to a local imitation. */
export async function resendHarness(env: Record<string, string> = {}, imitation: ResendImitationOptions = {}, overrides: Partial<Deps> = {}) {
  const api = await startResendImitation(imitation);
  const t = await testApp({ MAIL_FROM: 'listgate <news@example.com>', ...env }, { mailer: resendMailer({ apiKey: 're_test', baseUrl: api.baseUrl, timeoutMs: 30_000 }), ...overrides });
  const rows = () => t.deps.db.select().from(outbox).orderBy(outbox.id).all();
  const rowTo = (to: string) => t.deps.db.select().from(outbox).where(eq(outbox.to, to)).get();
  /** Recipients that got more than one mail. */
  const duplicates = () => {
    const seen = new Map<string, number>();
    for (const m of api.sent) for (const r of m.recipients) seen.set(r, (seen.get(r) ?? 0) + 1);
    return [...seen].filter(([, n]) => n > 1).map(([r]) => r);
  };
  return { ...t, api, rows, rowTo, duplicates, close: () => api.close() };
}
