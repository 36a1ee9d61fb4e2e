import { createExecutionContext, createScheduledController, waitOnExecutionContext } from 'cloudflare:test';
import { eq } from 'drizzle-orm';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pushDeliveries } from '../../src/db/schema';
import { fetchWebhookTransport } from '../../src/push/http-fetch';
import worker from '../../src/worker';
import { api, subscribeConfirmed, uniqueEmail } from '../contract/harness';
import { bindings, testDb, workerHarness } from './harness';

/**
 * Outbound webhooks in workerd: the cron sends them with fetch (no name resolution here; Cloudflare
 * does not route to private ranges). The receiver is imitated in-process under https://hooks.test,
 * where the worker's fetch is routed; nothing leaves the isolate.
 */
const ORIGIN = 'https://hooks.test';
type Got = { path: string; headers: Record<string, string>; body: string };
const got: Got[] = [];
const answers: Array<{ status: number; headers?: Record<string, string> }> = [];
let previousFetch: typeof fetch;

beforeAll(() => {
  previousFetch = globalThis.fetch;
  globalThis.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const req = new Request(input, init);
    if (!req.url.startsWith(`${ORIGIN}/`)) return previousFetch(input, init);
    got.push({ path: new URL(req.url).pathname, headers: Object.fromEntries(req.headers), body: await req.text() });
    const a = answers.shift() ?? { status: 204 };
    return new Response(a.status === 204 ? null : 'answer', { status: a.status, headers: a.headers });
  };
});
afterAll(() => void (globalThis.fetch = previousFetch));

async function runCron() {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ cron: '* * * * *', scheduledTime: Date.now() }), bindings, ctx);
  await waitOnExecutionContext(ctx);
}

/** A webhook of its own (its own receiver path), removed after the test. */
async function webhook(h: ReturnType<typeof workerHarness>, events = ['subscriber.confirmed']) {
  const path = `/${crypto.randomUUID()}`;
  const res = await api(h, 'POST', '/v1/webhooks', { url: `${ORIGIN}${path}`, events });
  expect(res.status).toBe(201);
  const hook = (await res.json()) as { id: string; secret: string };
  return { ...hook, path, mine: () => got.filter((g) => g.path === path), remove: () => api(h, 'DELETE', `/v1/webhooks/${hook.id}`) };
}

describe('outbound webhooks on Workers (cron)', () => {
  it('delivers at the next cron run, signed so that standardwebhooks verifies it', async () => {
    const h = workerHarness();
    const hook = await webhook(h);
    const email = uniqueEmail('hooked');
    await subscribeConfirmed(h, email);
    expect(hook.mine()).toEqual([]); // nothing in the request itself
    await runCron();
    const [delivery] = hook.mine();
    const payload = new Webhook(hook.secret).verify(delivery.body, delivery.headers) as { type: string; data: { email: string; list: string } };
    expect(payload).toMatchObject({ type: 'subscriber.confirmed', data: { email, list: 'newsletter' } });
    await hook.remove();
  });

  it('retries a 500 at a later run under the same webhook-id, and does not follow a redirect', async () => {
    const h = workerHarness();
    const hook = await webhook(h);
    await subscribeConfirmed(h, uniqueEmail('retried'));
    answers.push({ status: 500 }, { status: 302, headers: { location: `${ORIGIN}/elsewhere` } });
    await runCron();
    await testDb().update(pushDeliveries).set({ nextAttemptAt: 0 }).where(eq(pushDeliveries.consumerId, hook.id));
    await runCron();
    await testDb().update(pushDeliveries).set({ nextAttemptAt: 0 }).where(eq(pushDeliveries.consumerId, hook.id));
    await runCron();
    const ids = hook.mine().map((g) => g.headers['webhook-id']);
    expect(ids).toEqual([ids[0], ids[0], ids[0]]);
    expect(got.filter((g) => g.path === '/elsewhere')).toEqual([]);
    const attempts = ((await (await api(h, 'GET', `/v1/webhooks/${hook.id}/deliveries`)).json()) as { data: Array<{ status: number; outcome: string; error: string | null }> }).data;
    expect(attempts.map((a) => [a.status, a.outcome])).toEqual([
      [204, 'delivered'],
      [302, 'retrying'],
      [500, 'retrying'],
    ]);
    expect(attempts[1].error).toBe('redirect (HTTP 302) not followed');
    await hook.remove();
  });

  it('erasure: the erased event carries no address, and an earlier event sent after it has lost it too', async () => {
    const h = workerHarness();
    const hook = await webhook(h, ['subscriber.confirmed', 'subscriber.erased']);
    const email = uniqueEmail('erased');
    await subscribeConfirmed(h, email);
    expect((await api(h, 'DELETE', `/v1/subscribers/${encodeURIComponent(email)}`)).status).toBe(200);
    await runCron();
    const payloads = hook.mine().map((g) => JSON.parse(g.body) as { type: string; data: { email: string | null; id: string } });
    expect(payloads.map((p) => [p.type, p.data.email])).toEqual([
      ['subscriber.confirmed', null],
      ['subscriber.erased', null],
    ]);
    expect(payloads[1].data.id).toBe(payloads[0].data.id);
    expect(hook.mine().some((g) => g.body.includes(email))).toBe(false);
    await hook.remove();
  });
});

describe('the fetch transport in workerd', () => {
  it('refuses address literals in production without calling fetch, and gives up on a receiver that does not answer in time', async () => {
    const calls: string[] = [];
    const hanging: typeof fetch = (input, init) => {
      calls.push(String(input));
      return new Promise((_, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal!.reason)));
    };
    const production = fetchWebhookTransport({ fetch: hanging, policy: { publicOnly: true }, timeoutMs: 50 });
    for (const url of ['https://2130706433/', 'https://[::ffff:127.0.0.1]/', 'https://[fd00::1]/', 'http://hooks.test/']) {
      expect(await production.post(url, { headers: {}, body: '{}' })).toMatchObject({ error: expect.stringMatching(/^refused: /), refused: true });
    }
    expect(calls).toEqual([]);
    expect(await production.post('https://hooks.test/slow', { headers: {}, body: '{}' })).toEqual({ error: 'timed out after 50 ms' });
    expect(calls).toEqual(['https://hooks.test/slow']);
  });
});
