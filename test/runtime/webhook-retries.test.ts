import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { pushDeliveries } from '../../src/db/schema';
import { RETRY_DELAYS_MS } from '../../src/domain/retry-schedule';
import { testApp, type TestApp } from '../support/app';
import { startReceiver, verifyDelivery } from '../support/fakes/receiver';
import { confirmed } from '../support/flow';
import { adminEnv, api, type Json } from '../support/operator';
import { makeWebhook, pusher } from '../support/push';

const cleanups: Array<() => Promise<unknown> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(opts: { timeoutMs?: number } = {}) {
  const t = await testApp(adminEnv);
  const rx = await startReceiver();
  cleanups.push(() => rx.close());
  const hook = await makeWebhook(t, { url: rx.url, events: ['subscriber.confirmed'] });
  return { t, rx, hook, push: pusher(t, opts) };
}

const waiting = (t: TestApp) => t.deps.db.select().from(pushDeliveries).where(eq(pushDeliveries.state, 'queued')).all();
const attempts = async (t: TestApp, id: string): Promise<Json[]> => ((await (await api(t, 'GET', `/v1/webhooks/${id}/deliveries`)).json()) as Json).data;
const webhook = async (t: TestApp, id: string): Promise<Json> => (await api(t, 'GET', `/v1/webhooks/${id}`)).json();

/** Moves the clock to the next retry of the one waiting delivery and runs the pusher. */
async function nextRetry(t: TestApp, push: ReturnType<typeof pusher>) {
  const [row] = await waiting(t);
  t.clock.set(row.nextAttemptAt);
  await push.run();
}

describe('outbound webhooks: retries', () => {
  it('retries a 500 under the same webhook-id, within seconds, and records each attempt', async () => {
    const { t, rx, hook, push } = await setup();
    await confirmed(t, 'ann@example.com');
    rx.answer({ status: 500, body: 'upstream broke' });
    await push.run();
    const failedAt = t.clock.now();
    const [row] = await waiting(t);
    expect(row.nextAttemptAt - failedAt).toBeGreaterThanOrEqual(RETRY_DELAYS_MS[0] * 0.8);
    expect(row.nextAttemptAt - failedAt).toBeLessThanOrEqual(RETRY_DELAYS_MS[0] * 1.2);
    // Not due yet: nothing is sent before its time.
    await push.run();
    expect(rx.received).toHaveLength(1);
    await nextRetry(t, push);

    expect(rx.received).toHaveLength(2);
    const ids = rx.received.map((r) => r.headers['webhook-id']);
    expect(ids[1]).toBe(ids[0]);
    // Each attempt is signed at its own time, and each verifies.
    for (const r of rx.received) expect(verifyDelivery(hook.secret, r, Number(r.headers['webhook-timestamp']) * 1000).data.email).toBe('ann@example.com');
    expect(await attempts(t, hook.id)).toMatchObject([
      { message_id: ids[0], event: 'subscriber.confirmed', attempt: 2, status: 204, error: null, outcome: 'delivered' },
      { message_id: ids[0], event: 'subscriber.confirmed', attempt: 1, status: 500, error: 'HTTP 500', response: 'upstream broke', outcome: 'retrying' },
    ]);
    expect(await webhook(t, hook.id)).toMatchObject({ status: 'active', pending: 0, failing_since: null });
  });

  it('retries a receiver that does not answer in time, under the same id', async () => {
    const { t, rx, hook, push } = await setup({ timeoutMs: 300 });
    await confirmed(t, 'slow@example.com');
    rx.answer({ hang: true });
    await push.run();
    expect(await attempts(t, hook.id)).toMatchObject([{ attempt: 1, status: null, error: 'timed out after 300 ms', outcome: 'retrying' }]);
    expect(await webhook(t, hook.id)).toMatchObject({ status: 'failing', pending: 1 });
    await nextRetry(t, push);
    expect(rx.received.map((r) => r.headers['webhook-id'])).toEqual([rx.received[0].headers['webhook-id'], rx.received[0].headers['webhook-id']]);
    expect((await attempts(t, hook.id))[0]).toMatchObject({ attempt: 2, status: 204, outcome: 'delivered' });
    expect(await webhook(t, hook.id)).toMatchObject({ status: 'active', pending: 0 });
  });

  it('makes the first three retries within a minute, keeps trying for more than 24 hours, then gives the message up', async () => {
    const { t, rx, hook, push } = await setup();
    await confirmed(t, 'down@example.com');
    rx.answer(...Array.from({ length: 50 }, () => ({ status: 503 })));
    const start = t.clock.now();
    await push.run();
    const times = [t.clock.now()];
    while ((await waiting(t)).length) {
      await nextRetry(t, push);
      times.push(t.clock.now());
    }
    expect(times.length).toBe(RETRY_DELAYS_MS.length + 1);
    expect(times[3] - start).toBeLessThan(60_000);
    expect(times.at(-1)! - start).toBeGreaterThan(24 * 3_600_000);
    // Each wait is its step of the schedule, give or take the jitter.
    const waits = times.slice(1).map((at, i) => at - times[i]);
    expect(waits.filter((w, i) => w < RETRY_DELAYS_MS[i] * 0.8 || w > RETRY_DELAYS_MS[i] * 1.2)).toEqual([]);
    expect(new Set(rx.received.map((r) => r.headers['webhook-id'])).size).toBe(1);
    const log = await attempts(t, hook.id);
    expect(log[0]).toMatchObject({ attempt: RETRY_DELAYS_MS.length + 1, status: 503, outcome: 'failed' });
    expect(await webhook(t, hook.id)).toMatchObject({ status: 'failing', pending: 0 });
  });

  it('disables a webhook that has failed for days, says so, sends nothing while disabled, and resumes when enabled', async () => {
    const { t, rx, hook, push } = await setup();
    await confirmed(t, 'first@example.com');
    rx.answer(...Array.from({ length: 50 }, () => ({ status: 500 })));
    await push.run();
    while ((await waiting(t)).length) await nextRetry(t, push);
    t.clock.advance(4 * 86_400_000);
    await confirmed(t, 'later@example.com');
    await push.run();
    const view = await webhook(t, hook.id);
    expect(view).toMatchObject({ status: 'disabled', pending: 1, disabled_at: new Date(t.clock.now()).toISOString() });
    expect(view.disabled_reason).toMatch(/failed for 5 days; last: HTTP 500/);
    const sent = rx.received.length;
    // Disabled: due retries and new events wait, nothing is sent.
    await confirmed(t, 'meanwhile@example.com');
    await push.dueNow();
    await push.run();
    expect(rx.received).toHaveLength(sent);

    rx.received.splice(0);
    rx.answer(...Array.from({ length: 50 }, () => ({ status: 204 })));
    const enabled = await api(t, 'POST', `/v1/webhooks/${hook.id}/enable`);
    expect(enabled.status).toBe(200);
    expect(await enabled.json()).toMatchObject({ status: 'active', disabled_at: null, disabled_reason: null });
    await push.run();
    expect(rx.received.map((r) => r.json.data.email).sort()).toEqual(['later@example.com', 'meanwhile@example.com']);
  });

  it('does not follow a redirect: the attempt fails and is retried at the same address', async () => {
    const { t, rx, hook, push } = await setup();
    const elsewhere = await startReceiver();
    cleanups.push(() => elsewhere.close());
    await confirmed(t, 'moved@example.com');
    rx.answer({ status: 307, headers: { location: elsewhere.url } });
    await push.run();
    expect(elsewhere.received).toEqual([]);
    expect(await attempts(t, hook.id)).toMatchObject([{ status: 307, error: 'redirect (HTTP 307) not followed', outcome: 'retrying' }]);
    await nextRetry(t, push);
    expect(rx.received).toHaveLength(2);
    expect(elsewhere.received).toEqual([]);
  });

  it('keeps only a short excerpt of an answer body', async () => {
    const { t, rx, hook, push } = await setup();
    await confirmed(t, 'big@example.com');
    rx.answer({ status: 500, body: `<html>${'x'.repeat(200_000)}</html>` });
    await push.run();
    const [a] = await attempts(t, hook.id);
    expect(a.response.startsWith('<html>xxx')).toBe(true);
    expect(a.response.length).toBeLessThanOrEqual(200);
  });

  it('replays from a feed position with new message ids; a position past the feed is 422', async () => {
    const { t, rx, hook, push } = await setup();
    for (const who of ['r1@example.com', 'r2@example.com', 'r3@example.com']) await confirmed(t, who);
    await push.run();
    const first = rx.received.map((r) => ({ id: r.headers['webhook-id'], seq: r.json.data.seq, email: r.json.data.email }));
    expect(first.map((f) => f.email)).toEqual(['r1@example.com', 'r2@example.com', 'r3@example.com']);

    const replay = await api(t, 'POST', `/v1/webhooks/${hook.id}/replay`, undefined, { after: first[0].seq });
    expect(replay.status).toBe(202);
    expect(await replay.json()).toMatchObject({ id: hook.id, position: first[0].seq });
    await push.run();
    const again = rx.received.slice(3).map((r) => ({ id: r.headers['webhook-id'], seq: r.json.data.seq, email: r.json.data.email }));
    expect(again.map((a) => a.email)).toEqual(['r2@example.com', 'r3@example.com']);
    expect(again.map((a) => a.seq)).toEqual(first.slice(1).map((f) => f.seq));
    expect(again.some((a) => first.some((f) => f.id === a.id))).toBe(false);
    // Caught up again: nothing more.
    await push.run();
    expect(rx.received).toHaveLength(5);

    const past = await api(t, 'POST', `/v1/webhooks/${hook.id}/replay`, undefined, { after: first[2].seq + 1 });
    expect(past.status).toBe(422);
    expect((await api(t, 'POST', `/v1/webhooks/${hook.id}/replay`, undefined, { after: -1 })).status).toBe(422);
    expect((await api(t, 'POST', '/v1/webhooks/wh_nope/replay', undefined, { after: 0 })).status).toBe(404);
  });

  it('sends nothing more to a webhook once it is deleted, retries included', async () => {
    const { t, rx, hook, push } = await setup();
    await confirmed(t, 'del@example.com');
    rx.answer({ status: 500 });
    await push.run();
    expect((await api(t, 'DELETE', `/v1/webhooks/${hook.id}`)).status).toBe(204);
    expect((await api(t, 'DELETE', `/v1/webhooks/${hook.id}`)).status).toBe(404);
    t.clock.advance(3_600_000);
    await push.run();
    expect(rx.received).toHaveLength(1);
    expect(t.sqlite.sqlite.prepare('SELECT count(*) AS n FROM push_deliveries').get()).toEqual({ n: 0 });
  });
});
