import { describe, expect, it } from 'vitest';
import { jsonLogger, redactAddresses } from '../../src/logger';
import { logMailer } from '../../src/mail/log';
import { loggedPath } from '../../src/middleware/request-log';
import { ADMIN, adminEnv } from '../support/operator';
import { signup, testApp } from '../support/app';

describe('no subscriber address in any log line', () => {
  it('request paths that name an address are redacted, plain or percent-encoded', async () => {
    const t = await testApp(adminEnv);
    const auth = { authorization: `Bearer ${ADMIN}` };
    await t.app.request('/v1/subscribers/Ann.Lee@example.com', { headers: auth });
    await t.app.request('/v1/suppressions/bob%40example.com', { method: 'DELETE', headers: auth });
    await t.app.request('/v1/lists/newsletter/subscribers/carl%40example.com/unsubscribe', { method: 'POST', headers: auth });
    const requests = t.logs.filter((l) => l.includes('"msg":"request"'));
    expect(requests).toHaveLength(3);
    expect(requests.join('\n')).not.toMatch(/ann|bob|carl|%40/i);
    expect(requests.map((l) => JSON.parse(l).path)).toEqual([
      '/v1/subscribers/[email]',
      '/v1/suppressions/[email]',
      '/v1/lists/newsletter/subscribers/[email]/unsubscribe',
    ]);
    expect(loggedPath('/lists/newsletter/subscribe')).toBe('/lists/newsletter/subscribe');
  });

  it('a provider reply that names the recipient (SMTP 550) is logged without the address', async () => {
    const t = await testApp();
    t.deps.mailer = {
      name: 'smtp',
      maxBatch: 1,
      send: async (messages) => ({ ok: true, results: messages.map((m) => ({ error: `550 5.1.1 <${m.to}>: Recipient address rejected: User unknown`, permanent: true as const })) }),
    };
    await signup(t, 'Nobody.Here@example.org');
    await t.deliver();
    const failed = t.logs.filter((l) => l.includes('outbox mails failed permanently'));
    expect(failed).toHaveLength(1);
    expect(failed[0]).toContain('550 5.1.1 <[email]>: Recipient address rejected');
    expect(t.logs.join('\n').toLowerCase()).not.toContain('nobody.here');
  });

  it('redacts every field, nested values and the message itself; secrets by key as before', () => {
    const lines: string[] = [];
    const log = jsonLogger('debug', (l) => lines.push(l));
    log.error('send to x.y+tag@sub.example.co.uk failed', { error: { reply: 'rejected <a@b.io>' }, list: ['c@d.example'], api_key: 're_123' });
    const line = JSON.parse(lines[0]);
    expect(line).toMatchObject({ msg: 'send to [email] failed', error: { reply: 'rejected <[email]>' }, list: ['[email]'], api_key: '[redacted]' });
    expect(redactAddresses('no address @ here, user@localhost')).toBe('no address @ here, user@localhost');
  });
});

describe('the log transport', () => {
  it('in development writes one line with the recipient, the subject and the whole text part', async () => {
    const lines: string[] = [];
    const mailer = logMailer(jsonLogger('info', (l) => lines.push(l), { clearAddresses: true }));
    await mailer.send([{ to: 'ada@example.com', from: 'x <x@example.com>', subject: 'Confirm', text: 'Hello,\n\nhttps://l.example/confirm?token=abc\n\nBye', html: '<p>' } as never], { idempotencyKey: 'k' });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toMatchObject({ msg: 'mail', to: 'ada@example.com', subject: 'Confirm', text: 'Hello,\n\nhttps://l.example/confirm?token=abc\n\nBye' });
  });

  it('in production names the recipient only by its keyed hash', async () => {
    const lines: string[] = [];
    const mailer = logMailer(jsonLogger('info', (l) => lines.push(l)), { identify: async () => 'h_0123' });
    await mailer.send([{ to: 'ada@example.com', from: 'x@example.com', subject: 'S', text: 'for ada@example.com', html: '' } as never], { idempotencyKey: 'k' });
    const line = JSON.parse(lines[0]);
    expect(line.to_hash).toBe('h_0123');
    expect(lines[0]).not.toContain('ada@example.com');
  });

  it('pretty format for a terminal: one readable line, the mail text indented below', () => {
    const lines: string[] = [];
    jsonLogger('info', (l) => lines.push(l), { format: 'pretty', clearAddresses: true }).info('mail', { to: 'ada@example.com', text: 'line one\nline two' });
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d info  mail  to=ada@example\.com\n    line one\n    line two$/);
  });
});
