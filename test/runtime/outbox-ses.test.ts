import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { outboxStats } from '../../src/db/queries/outbox';
import { outbox } from '../../src/db/schema';
import { drainDue } from '../../src/mail/drain';
import { sesMailer } from '../../src/mail/ses';
import { testApp, signup } from '../support/app';
import { type SesImitation, startSesImitation } from '../support/fakes/ses/node';
import { SES_TEST_CREDENTIALS, type SesFakeOptions } from '../support/fakes/ses/types';
import { addressesFor, queueMails } from '../support/outbox';

const open: SesImitation[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((f) => f.close()));
});

/** The app (in-memory SQLite, settable clock) sending through the SES mailer to the local SES imitation. */
async function sesApp(env: Record<string, string> = {}, imitation: SesFakeOptions = {}) {
  const ses = await startSesImitation(imitation);
  open.push(ses);
  const mailer = sesMailer({ ...SES_TEST_CREDENTIALS, region: ses.region, endpoint: ses.endpoint, configurationSet: 'listgate-events', timeoutMs: 10_000 });
  const t = await testApp({ MAIL_FROM: 'listgate <news@example.com>', ...env }, { mailer });
  const rowTo = (to: string) => t.deps.db.select().from(outbox).where(eq(outbox.to, to)).get();
  const health = async () => (await (await t.app.request('/healthz')).json()) as { status: string; outbox: { transport: string; failures_last_hour: number } };
  /** Runs the drain `rounds` times, the clock moving `stepMs` after each (past any backoff). */
  const rounds = async (n: number, stepMs = 15 * 60_000) => {
    for (let i = 0; i < n; i++) {
      await drainDue(t.deps, 10);
      t.clock.advance(stepMs);
    }
  };
  return { ...t, ses, rowTo, health, rounds };
}

describe('outbox through SES (MAIL_TRANSPORT=ses)', () => {
  it('sends a signup confirmation as one SendEmail, tagged with its list, and keeps the MessageId', async () => {
    const h = await sesApp();
    expect((await signup(h, 'ada@example.com')).status).toBe(202);
    expect(await drainDue(h.deps, 10)).toEqual({ requests: 1, sent: 1, failed: 0 });
    const [mail] = h.ses.sent;
    expect(mail).toMatchObject({ to: ['ada@example.com'], from: 'listgate <news@example.com>', configurationSet: 'listgate-events', tags: { list: 'newsletter' } });
    expect(mail.text).toMatch(/http:\/\/localhost:3000\/confirm\?token=/);
    expect(await h.rowTo('ada@example.com')).toMatchObject({ state: 'sent', providerId: mail.messageId });
  });

  it('throttling, then success: exactly one accepted mail, sent once the retry is due', async () => {
    const h = await sesApp();
    h.ses.setFault({ status: 429, retryAfter: 1, times: 1 });
    await queueMails(h.deps.db, ['ada@example.com'], h.clock.now());
    expect(await drainDue(h.deps, 10)).toMatchObject({ requests: 1, sent: 0, failed: 0 });
    // Not yet due: the drain leaves it alone.
    expect(await drainDue(h.deps, 10)).toMatchObject({ requests: 0 });
    h.clock.advance(60_000);
    expect(await drainDue(h.deps, 10)).toMatchObject({ requests: 1, sent: 1 });
    expect(h.ses.requests.map((r) => r.outcome)).toEqual(['fault', 'accepted']);
    expect(h.ses.sent).toHaveLength(1);
    expect(await h.rowTo('ada@example.com')).toMatchObject({ state: 'sent', attempts: 2, providerId: h.ses.sent[0].messageId });
    expect((await h.health()).status).toBe('ok');
  });

  it('retries 5xx answers and delivers each mail once they stop', async () => {
    const h = await sesApp();
    h.ses.setFault({ status: 500, code: 'InternalFailure', times: 3 });
    await queueMails(h.deps.db, addressesFor('f', 3), h.clock.now());
    await h.rounds(4);
    expect(h.ses.requests.map((r) => r.outcome)).toEqual(['fault', 'fault', 'fault', 'accepted', 'accepted', 'accepted']);
    expect(h.ses.sent.map((m) => m.to[0]).sort()).toEqual(addressesFor('f', 3).sort());
    expect(await outboxStats(h.deps.db)).toMatchObject({ queued: 0, sent: 3, failed: 0 });
  });

  it("fails the one mail SES rejects for its recipient and sends the others; the transport stays healthy", async () => {
    const h = await sesApp({}, { sandbox: true, verifiedIdentities: ['example.com'] });
    await queueMails(h.deps.db, ['ada@example.com', 'stranger@example.org', 'bob@example.com'], h.clock.now());
    expect(await drainDue(h.deps, 10)).toEqual({ requests: 3, sent: 2, failed: 1 });
    expect(h.ses.sent.map((m) => m.to[0])).toEqual(['ada@example.com', 'bob@example.com']);
    expect(await h.rowTo('stranger@example.org')).toMatchObject({ state: 'failed', lastError: expect.stringContaining('MessageRejected: Email address is not verified') });
    expect(await h.health()).toMatchObject({ status: 'ok', outbox: { transport: 'ok' } });
  });

  it('an account-level refusal pauses the outbox: one probe at a time, no attempt spent, /healthz degraded; fixed, the backlog goes out once', async () => {
    const h = await sesApp({ OUTBOX_MAX_ATTEMPTS: '3' });
    h.ses.setAccount('paused');
    await queueMails(h.deps.db, addressesFor('p', 4), h.clock.now());
    await h.rounds(8, 5 * 60_000);
    // Eight rounds, eight probes, well past OUTBOX_MAX_ATTEMPTS: nothing given up, nothing sent.
    expect(h.ses.requests.map((r) => r.errorCode)).toEqual(Array(8).fill('SendingPausedException'));
    expect(await outboxStats(h.deps.db)).toMatchObject({ queued: 4, sent: 0, failed: 0 });
    expect(await h.health()).toMatchObject({ status: 'degraded', outbox: { transport: 'refusing', failures_last_hour: expect.any(Number) } });
    expect(h.logs.filter((l) => l.includes('mail transport refuses to send'))).toHaveLength(1);

    h.ses.setAccount('enabled');
    await h.rounds(2, 2 * 60_000);
    expect(h.ses.sent.map((m) => m.to[0]).sort()).toEqual(addressesFor('p', 4).sort());
    expect(await outboxStats(h.deps.db)).toMatchObject({ queued: 0, sent: 4, failed: 0 });
    expect(await h.health()).toMatchObject({ status: 'ok', outbox: { transport: 'ok' } });
  });

  it('bad credentials pause too, and a paused mail still ages out after OUTBOX_MAX_AGE_HOURS', async () => {
    const h = await sesApp({ OUTBOX_MAX_AGE_HOURS: '1' }, { credentials: { AKIAOTHERKEY00000000: 'other-secret' } });
    await queueMails(h.deps.db, ['ada@example.com'], h.clock.now());
    await h.rounds(3, 10 * 60_000);
    expect(h.ses.requests.map((r) => r.errorCode)).toEqual(Array(3).fill('UnrecognizedClientException'));
    expect(await h.health()).toMatchObject({ status: 'degraded' });
    h.clock.advance(61 * 60_000);
    await drainDue(h.deps, 10);
    expect(await h.rowTo('ada@example.com')).toMatchObject({ state: 'failed', lastError: 'gave up: too old' });
  });

  it('an unverified sender pauses the outbox until the identity is verified, then the confirmation goes', async () => {
    const h = await sesApp({ MAIL_FROM: 'listgate <news@unverified.example>' });
    expect((await signup(h, 'ada@example.com')).status).toBe(202);
    await h.rounds(2, 5 * 60_000);
    expect(h.ses.requests.map((r) => r.errorCode)).toEqual(['MessageRejected', 'MessageRejected']);
    expect(await h.rowTo('ada@example.com')).toMatchObject({ lastError: expect.stringContaining('news@unverified.example') });
    expect(await outboxStats(h.deps.db)).toMatchObject({ queued: 1, failed: 0 });
    expect((await h.health()).status).toBe('degraded');
    h.ses.verify('unverified.example');
    await h.rounds(1);
    expect(h.ses.mailsTo('ada@example.com')).toHaveLength(1);
    expect((await h.health()).status).toBe('ok');
  });
});
