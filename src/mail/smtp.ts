import nodemailer from 'nodemailer';
import type { Mailer, SendOutcome } from '../deps';

/**
 * SMTP through nodemailer. SMTP has no idempotency key: a crash between the server's 250 and
 * our commit resends that mail on restart, so this transport is at-least-once.
 * A 4xx reply (or a dropped connection) is retried; a 5xx reply fails the mail.
 */
export function smtpMailer(opts: { url: string }): Mailer {
  const transport = nodemailer.createTransport(opts.url);
  return {
    name: 'smtp',
    maxBatch: 1,
    async send(messages): Promise<SendOutcome> {
      const results: Array<{ id: string } | { error: string; permanent: true }> = [];
      for (const m of messages) {
        try {
          const info = await transport.sendMail({ from: m.from, to: m.to, subject: m.subject, html: m.html, text: m.text, headers: m.headers });
          results.push({ id: info.messageId });
        } catch (err) {
          const code = (err as { responseCode?: number }).responseCode;
          const error = `${code ?? 'network'}: ${(err as Error).message}`.slice(0, 500);
          if (code !== undefined && code >= 500) results.push({ error, permanent: true });
          else return { ok: false, retryable: true, error };
        }
      }
      return { ok: true, results };
    },
  };
}
