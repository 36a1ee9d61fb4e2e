import nodemailer from 'nodemailer';
import type { Mailer, SendOutcome } from '../deps';

/**
 * SMTP through nodemailer, one mail per request. SMTP has no idempotency key: a crash (or a lost
 * connection) between the server's 250 and our commit resends that mail, so this transport is
 * at-least-once. A 4xx reply, a refused login or a dropped connection is retried; any other 5xx
 * reply fails the mail for good.
 */
export function smtpMailer(opts: { url: string; timeoutMs?: number }): Mailer {
  const timeout = opts.timeoutMs ?? 30_000;
  // Without timeouts nodemailer waits minutes on a silent server, and a stop would wait with it;
  // options given in SMTP_URL's query (`?socketTimeout=...`) win.
  const url = new URL(opts.url);
  for (const name of ['connectionTimeout', 'greetingTimeout', 'socketTimeout']) {
    if (!url.searchParams.has(name)) url.searchParams.set(name, String(timeout));
  }
  const transport = nodemailer.createTransport(url.toString());
  return {
    name: 'smtp',
    maxBatch: 1,
    async send(messages): Promise<SendOutcome> {
      const results: Array<{ id: string } | { error: string; permanent: true }> = [];
      for (const m of messages) {
        try {
          const info = await transport.sendMail({ from: m.from, to: m.to, replyTo: m.replyTo, subject: m.subject, html: m.html, text: m.text, headers: m.headers });
          results.push({ id: info.messageId });
        } catch (err) {
          const { responseCode: code, code: kind } = err as { responseCode?: number; code?: string };
          const error = `${code ?? kind ?? 'network'}: ${(err as Error).message}`.slice(0, 500);
          if (code !== undefined && code >= 500 && kind !== 'EAUTH') results.push({ error, permanent: true });
          // No reply at all: the server may have taken the mail before the connection broke.
          else return { ok: false, retryable: true, inDoubt: code === undefined, error };
        }
      }
      return { ok: true, results };
    },
  };
}
