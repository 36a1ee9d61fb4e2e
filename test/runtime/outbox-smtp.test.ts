import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import { outboxStats } from '../../src/db/queries/outbox';
import { drainDue } from '../../src/mail/drain';
import { smtpMailer } from '../../src/mail/smtp';
import { queueMails } from '../support/outbox';
import { testApp } from '../support/app';

type Received = { from: string; to: string[]; raw: string };

/** A real SMTP server on 127.0.0.1:0; `replyTo(rcpt)` may answer a recipient with an SMTP error code. */
async function smtp(replyTo: (rcpt: string) => number | null = () => null) {
  const received: Received[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      const code = replyTo(address.address);
      if (!code) return callback();
      const err = Object.assign(new Error(code >= 500 ? 'mailbox unavailable' : 'try again later'), { responseCode: code });
      callback(err);
    },
    onData(stream, session, callback) {
      let raw = '';
      stream.on('data', (c: Buffer) => (raw += c.toString()));
      stream.on('end', () => {
        received.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), raw });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
  return { received, url: `smtp://127.0.0.1:${port}` };
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function appWith(url: string) {
  return testApp({ MAIL_TRANSPORT: 'smtp', SMTP_URL: url }, { mailer: smtpMailer({ url, timeoutMs: 5000 }) });
}

describe('SMTP transport against a real SMTP server', () => {
  it('delivers a signup confirmation with its link', async () => {
    const server = await smtp();
    const t = await appWith(server.url);
    const res = await t.app.request('/lists/newsletter/subscribe', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'ada@example.com' }) }, { clientIp: '203.0.113.9' });
    expect(res.status).toBe(202);
    expect(await drainDue(t.deps, 10)).toEqual({ requests: 1, sent: 1, failed: 0 });
    expect(server.received).toHaveLength(1);
    expect(server.received[0].to).toEqual(['ada@example.com']);
    expect(server.received[0].raw.replace(/=\r\n/g, '')).toMatch(/http:\/\/localhost:3000\/confirm\?token=/);
    expect(await outboxStats(t.deps.db)).toMatchObject({ sent: 1, queued: 0, failed: 0 });
  });

  it('retries a mail the server answered with 4xx, and delivers it once', async () => {
    let refusals = 2;
    const server = await smtp((rcpt) => (rcpt === 'busy@example.com' && refusals-- > 0 ? 451 : null));
    const t = await appWith(server.url);
    await queueMails(t.deps.db, ['busy@example.com'], t.clock.now());
    for (let round = 0; round < 3; round++) {
      await drainDue(t.deps, 10);
      t.clock.advance(15 * 60_000);
    }
    expect(refusals).toBeLessThan(0);
    expect(server.received.map((r) => r.to)).toEqual([['busy@example.com']]);
    expect(await outboxStats(t.deps.db)).toMatchObject({ sent: 1, queued: 0, failed: 0 });
  });

  it('fails the mail the server answered with 5xx, and still sends the others', async () => {
    const server = await smtp((rcpt) => (rcpt === 'gone@example.com' ? 550 : null));
    const t = await appWith(server.url);
    await queueMails(t.deps.db, ['gone@example.com', 'here@example.com'], t.clock.now());
    await drainDue(t.deps, 10);
    expect(server.received.map((r) => r.to)).toEqual([['here@example.com']]);
    expect(await outboxStats(t.deps.db)).toMatchObject({ sent: 1, queued: 0, failed: 1 });
    expect(t.logs.join('\n')).toMatch(/outbox mails failed permanently/);
  });
});
