import { createExecutionContext, createScheduledController, waitOnExecutionContext } from 'cloudflare:test';
import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { lists, outboxBatches, rateBuckets, subscriptions } from '../../src/db/schema';
import worker from '../../src/worker';
import { api, freshList, signupJson, uniqueEmail } from '../contract/harness';
import { bindings, settle, testDb, workerHarness } from './harness';
import { resend } from './resend';

async function runCron() {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ cron: '* * * * *', scheduledTime: Date.now() }), bindings, ctx);
  await waitOnExecutionContext(ctx);
}

describe('scheduled handler (cron)', () => {
  it('sends mail the signup could not send, retrying with the same idempotency key', async () => {
    const h = workerHarness();
    const email = uniqueEmail('retry');
    resend.setFault({ status: 500, times: 1 });
    expect((await signupJson(h, email)).status).toBe(202);
    await settle();
    expect(resend.mailsTo(email)).toEqual([]);
    const firstTry = resend.requests.at(-1)!;
    expect(firstTry.outcome).toBe('fault');

    // The failed batch waits for its backoff; pretend it has passed.
    const db = testDb();
    await db.update(outboxBatches).set({ nextAttemptAt: 0 }).where(eq(outboxBatches.state, 'open'));
    await runCron();
    expect(resend.mailsTo(email)).toHaveLength(1);
    expect(resend.requests.at(-1)).toMatchObject({ outcome: 'accepted', idempotencyKey: firstTry.idempotencyKey });
  });

  it('deletes pending signups whose token expired and keeps the list counters exact', async () => {
    const h = workerHarness();
    const expired = uniqueEmail('expired');
    const fresh = uniqueEmail('fresh');
    await signupJson(h, expired);
    await signupJson(h, fresh);
    await settle();
    const db = testDb();
    const before = await db.select({ n: lists.countPending }).from(lists).where(eq(lists.slug, 'newsletter')).get();
    await db.update(subscriptions).set({ expiresAt: Date.now() - 1000 }).where(eq(subscriptions.email, expired));
    await runCron();
    expect(await db.select().from(subscriptions).where(eq(subscriptions.email, expired)).get()).toBeUndefined();
    expect((await db.select().from(subscriptions).where(eq(subscriptions.email, fresh)).get())?.state).toBe('pending');
    const after = await db.select({ n: lists.countPending }).from(lists).where(eq(lists.slug, 'newsletter')).get();
    expect(after!.n).toBe(before!.n - 1);
  });

  it('drops rate-limit buckets idle for a day and keeps recent ones', async () => {
    const db = testDb();
    await db.insert(rateBuckets).values([
      { key: 'cron-test:idle', tokens: 0, updatedAt: Date.now() - 25 * 3600_000 },
      { key: 'cron-test:recent', tokens: 0, updatedAt: Date.now() - 60_000 },
    ]);
    await runCron();
    const keys = (await db.select({ key: rateBuckets.key }).from(rateBuckets).where(sql`${rateBuckets.key} LIKE 'cron-test:%'`).all()).map((r) => r.key);
    expect(keys).toEqual(['cron-test:recent']);
  });

  it('queues the one reminder of a pending signup at the cron run after it is due, and sends it', async () => {
    const h = workerHarness();
    const list = await freshList(h);
    expect((await api(h, 'PUT', `/v1/lists/${list}`, { name: `List ${list}`, reminder_after_hours: 0.0001 })).status).toBe(200);
    const email = uniqueEmail('remind');
    expect((await signupJson(h, email, { list })).status).toBe(202);
    await settle();
    expect(resend.mailsTo(email)).toHaveLength(1);
    // As if the first mail left a minute ago: the reminder is due at the next cron run, and comes once.
    const db = testDb();
    await db.update(subscriptions).set({ firstMailAt: Date.now() - 60_000 }).where(eq(subscriptions.email, email));
    await runCron();
    await runCron();
    const mails = resend.mailsTo(email);
    expect(mails.map((m) => m.subject)).toEqual([expect.not.stringMatching(/^Reminder/), expect.stringMatching(/^Reminder: /)]);
  });
});
