import { afterEach, describe, expect, it } from 'vitest';
import { outboxStats } from '../../src/db/queries/outbox';
import { drainDue, drainStep } from '../../src/mail/drain';
import { addressesFor, queueMails, resendHarness } from '../support/outbox';

type Harness = Awaited<ReturnType<typeof resendHarness>>;
const open: Harness[] = [];
async function harness(...args: Parameters<typeof resendHarness>) {
  const h = await resendHarness(...args);
  open.push(h);
  return h;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((h) => h.close()));
});

describe('outbox through the resend SDK', () => {
  it('sends 250 pending mails in 3 API calls of 100, 100 and 50', async () => {
    const h = await harness();
    await queueMails(h.deps.db, addressesFor('p', 250), h.clock.now());
    const total = await drainDue(h.deps, 10);
    expect(total).toEqual({ requests: 3, sent: 250, failed: 0 });
    expect(h.api.requests.map((r) => [r.path, r.mailCount, r.batchValidation])).toEqual([
      ['/emails/batch', 100, 'permissive'],
      ['/emails/batch', 100, 'permissive'],
      ['/emails/batch', 50, 'permissive'],
    ]);
    expect(h.api.sent).toHaveLength(250);
    expect(h.duplicates()).toEqual([]);
    expect(await outboxStats(h.deps.db)).toEqual({ queued: 0, sent: 250, failed: 0, oldestQueuedAt: null });
  });

  it('delivers every queued mail exactly once after the provider answered 500 for a while', async () => {
    const h = await harness();
    let healthy = false;
    h.api.setFault({ status: 500, until: () => healthy });
    await queueMails(h.deps.db, addressesFor('o', 230), h.clock.now());
    for (let round = 0; round < 4; round++) {
      await drainDue(h.deps, 10);
      h.clock.advance(20 * 60_000);
    }
    // While failing, one batch probes the provider; the others wait instead of hammering it.
    expect(h.api.requests.map((r) => r.outcome)).toEqual(['fault', 'fault', 'fault', 'fault']);
    expect((await outboxStats(h.deps.db)).queued).toBe(230);
    healthy = true;
    await drainDue(h.deps, 10);
    expect(h.api.sent).toHaveLength(230);
    expect(h.duplicates()).toEqual([]);
    expect(new Set(h.api.sent.map((m) => m.recipients[0]))).toEqual(new Set(addressesFor('o', 230)));
    const stats = await outboxStats(h.deps.db);
    expect(stats).toMatchObject({ queued: 0, sent: 230, failed: 0 });
    // The batch that met the outage was resent under the key stored before its first request.
    const keys = h.api.requests.map((r) => r.idempotencyKey);
    expect(keys.slice(1, 5).every((k) => k === keys[0])).toBe(true);
  });

  it('marks the one invalid address of a batch failed and sends the rest', async () => {
    const h = await harness();
    await queueMails(h.deps.db, ['a@example.com', 'not an address', 'c@example.com'], h.clock.now());
    expect(await drainDue(h.deps, 10)).toEqual({ requests: 1, sent: 2, failed: 1 });
    expect(h.api.sent.map((m) => m.to[0])).toEqual(['a@example.com', 'c@example.com']);
    const bad = await h.rowTo('not an address');
    expect(bad).toMatchObject({ state: 'failed', lastError: expect.stringMatching(/Invalid `to` field/) });
    expect((await h.rowTo('c@example.com'))?.providerId).toBe(h.api.sent[1].id);
    expect(await outboxStats(h.deps.db)).toMatchObject({ queued: 0, sent: 2, failed: 1 });
    expect(h.logs.join('\n')).toMatch(/outbox mails failed permanently/);
  });

  it('after a lost response, the retry with the same key yields one mail each, not two', async () => {
    const h = await harness();
    h.api.setFault({ drop: 'after-accept', times: 1 });
    await queueMails(h.deps.db, addressesFor('l', 10), h.clock.now());
    expect(await drainDue(h.deps, 10)).toMatchObject({ requests: 1, sent: 0 });
    expect(h.api.sent).toHaveLength(10);
    h.clock.advance(60_000);
    expect(await drainDue(h.deps, 10)).toMatchObject({ requests: 1, sent: 10 });
    expect(h.api.requests.map((r) => r.outcome)).toEqual(['dropped', 'replayed']);
    expect(h.api.requests[1].idempotencyKey).toBe(h.api.requests[0].idempotencyKey);
    expect(h.api.sent).toHaveLength(10);
    expect((await h.rows()).map((r) => r.providerId)).toEqual(h.api.sent.map((m) => m.id));
  });

  it('gives up after OUTBOX_MAX_ATTEMPTS and shows the mails as failed', async () => {
    const h = await harness({ OUTBOX_MAX_ATTEMPTS: '2' });
    h.api.setFault({ status: 503 });
    await queueMails(h.deps.db, addressesFor('g', 3), h.clock.now());
    for (let round = 0; round < 4; round++) {
      await drainDue(h.deps, 10);
      h.clock.advance(20 * 60_000);
    }
    expect(h.api.requests).toHaveLength(2);
    expect(await outboxStats(h.deps.db)).toMatchObject({ queued: 0, sent: 0, failed: 3 });
    expect((await h.rows())[0].lastError).toMatch(/gave up after 2 attempts: 503/);
  });

  it('fails mails older than OUTBOX_MAX_AGE_HOURS instead of sending them late', async () => {
    const h = await harness({ OUTBOX_MAX_AGE_HOURS: '1' });
    await queueMails(h.deps.db, ['old@example.com'], h.clock.now());
    h.clock.advance(61 * 60_000);
    await queueMails(h.deps.db, ['new@example.com'], h.clock.now());
    await drainDue(h.deps, 10);
    expect(h.api.sent.map((m) => m.to[0])).toEqual(['new@example.com']);
    expect(await h.rowTo('old@example.com')).toMatchObject({ state: 'failed', lastError: 'gave up: too old' });
  });

  it('two drainers at once (a wake and the cron on Workers) never send a mail twice', async () => {
    const h = await harness({}, { latencyMs: 100 });
    await queueMails(h.deps.db, addressesFor('c', 150), h.clock.now());
    await Promise.all([drainStep(h.deps), drainStep(h.deps), drainStep(h.deps)]);
    await drainDue(h.deps, 10);
    expect(h.api.sent).toHaveLength(150);
    expect(h.duplicates()).toEqual([]);
    expect(h.api.requests.every((r) => r.outcome === 'accepted')).toBe(true);
  });
});
