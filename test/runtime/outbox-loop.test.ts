import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { composeMail } from '../../src/mail/compose';
import { claimBatch, dueMails, openBatch, releaseAllLeases } from '../../src/db/queries/outbox';
import { outboxStats } from '../../src/db/queries/outbox';
import { subscriptions } from '../../src/db/schema';
import { drainDue } from '../../src/mail/drain';
import { type DrainLoop, startDrainLoop } from '../../src/mail/drain-loop';
import { addressesFor, queueMails, resendHarness } from '../support/outbox';
import { signup } from '../support/app';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
async function harness(...args: Parameters<typeof resendHarness>) {
  const h = await resendHarness(...args);
  cleanups.push(() => h.close());
  return h;
}
const realClock = { clock: { now: () => Date.now() } };
/** An idle poll so long that any mail that goes out was sent because the loop was woken or kept going. */
const NEVER = { idleMs: 60 * 60_000 };
function loop(h: Awaited<ReturnType<typeof resendHarness>>, opts: { idleMs?: number } = {}): DrainLoop {
  const l = startDrainLoop(h.deps, opts);
  cleanups.push(() => l.stop());
  return l;
}
const suppress = (h: Awaited<ReturnType<typeof resendHarness>>, key: string) =>
  h.deps.db.update(subscriptions).set({ state: 'suppressed' }).where(eq(subscriptions.key, key));

describe('the drain loop', () => {
  it('makes no request before the retry-after of a 429', async () => {
    const h = await harness({}, {}, realClock);
    h.api.setFault({ status: 429, retryAfter: 2, times: 1 });
    await queueMails(h.deps.db, addressesFor('r', 120), Date.now());
    loop(h);
    await h.api.waitForMails(120, 60_000);
    const [limited, ...rest] = h.api.requests;
    expect(limited.outcome).toBe('fault');
    expect(rest.map((r) => r.outcome)).toEqual(['accepted', 'accepted']);
    expect(rest[0].time - limited.time).toBeGreaterThanOrEqual(2000);
    expect(h.duplicates()).toEqual([]);
  });

  it('mails a signup as soon as it is taken: the signup wakes the loop, no poll is waited for', async () => {
    const h = await harness({}, {}, realClock);
    const l = loop(h, NEVER);
    h.deps.outbox = l;
    await l.idle(); // asleep, with nothing queued
    expect((await signup(h, 'fresh@example.com')).status).toBe(202);
    await h.api.waitForMails(1, 60_000);
    expect(h.api.sent[0].links.some((u) => u.includes('/confirm?token='))).toBe(true);
  });

  it('paces requests to MAIL_RATE_PER_SECOND: no 429 from a provider enforcing that rate, and no idling', async () => {
    const h = await harness({ MAIL_RATE_PER_SECOND: '4' }, { rateLimitPerSecond: 4 }, realClock);
    await queueMails(h.deps.db, addressesFor('s', 1000), Date.now());
    // With no idle poll to fall back on, all 1000 arrive only if the loop goes on while mail is queued.
    const l = loop(h, NEVER);
    await h.api.waitForMails(1000, 120_000);
    await l.stop();
    expect(h.api.requests.map((r) => r.outcome)).toEqual(Array(10).fill('accepted'));
    const times = h.api.requests.map((r) => r.time);
    // Never five arrivals within one second (a lower bound: a slow machine only spreads them more).
    for (let i = 4; i < times.length; i++) expect(times[i] - times[i - 4]).toBeGreaterThan(1000);
  });

  it('on stop, the request in flight finishes and is recorded; no new one starts', async () => {
    const h = await harness({}, {}, realClock);
    await queueMails(h.deps.db, addressesFor('t', 150), Date.now());
    const release = h.api.hold();
    const l = loop(h, NEVER);
    await h.api.waitForArrivals(1, 60_000);
    expect(h.api.requests.map((r) => r.outcome)).toEqual(['pending']);
    const stopped = l.stop();
    release();
    await stopped;
    expect(h.api.requests.map((r) => r.outcome)).toEqual(['accepted']);
    expect(await outboxStats(h.deps.db)).toMatchObject({ sent: 100, queued: 50 });
    // Past the pacing gap (500 ms at the default 2/s), a running loop would have started the next batch.
    await new Promise((r) => setTimeout(r, 1000));
    expect(h.api.requests).toHaveLength(1);
  });
});

describe('members suppressed while their batch waits', () => {
  it('a batch claimed but never sent (crash) leaves out the address suppressed meanwhile', async () => {
    const h = await harness();
    for (const e of ['k1@example.com', 'k2@example.com', 'k3@example.com']) expect((await signup(h, e)).status).toBe(202);
    // The claim commits, then the process dies before the request.
    await openBatch(h.deps.atomic, 'b_crash', await Promise.all((await dueMails(h.deps.db, h.clock.now(), 100)).map(async (m) => ({ id: m.id, message: (await composeMail(h.deps, m))! }))), [], h.clock.now());
    expect(await claimBatch(h.deps.atomic, h.clock.now(), 'b_crash')).toBeDefined();
    await suppress(h, 'k2@example.com');
    await releaseAllLeases(h.deps.db); // what a Node restart does
    expect(await drainDue(h.deps, 10)).toEqual({ requests: 1, sent: 2, failed: 1 });
    expect(h.api.sent.map((m) => m.to[0])).toEqual(['k1@example.com', 'k3@example.com']);
    expect(await h.rowTo('k2@example.com')).toMatchObject({ state: 'failed', lastError: expect.stringMatching(/suppressed/) });
    // A smaller batch is a different request: it goes under a new key.
    expect(h.api.requests[0].idempotencyKey).not.toBe('listgate-b_crash');
  });

  it('a batch whose answer was lost goes again unchanged, so the provider replays instead of rejecting it', async () => {
    const h = await harness();
    for (const e of ['d1@example.com', 'd2@example.com']) expect((await signup(h, e)).status).toBe(202);
    h.api.setFault({ drop: 'after-accept', times: 1 });
    await drainDue(h.deps, 10);
    await suppress(h, 'd2@example.com');
    h.clock.advance(60_000);
    expect(await drainDue(h.deps, 10)).toMatchObject({ requests: 1, sent: 2, failed: 0 });
    expect(h.api.requests.map((r) => r.outcome)).toEqual(['dropped', 'replayed']);
    expect(h.api.sent).toHaveLength(2);
  });
});
