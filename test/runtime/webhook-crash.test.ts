import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startReceiver, verifyDelivery, type Receiver } from '../support/fakes/receiver';
import { perTest, scratch } from '../support/scratch';
import { until } from '../support/until';
import type { ListeningServer } from '../support/server-process';

const files = scratch('listgate-webhook-crash');
const ADMIN = 'crash-admin-token-0123456789abcdef';

const { later, start } = perTest();

function client(server: ListeningServer) {
  const base = `http://127.0.0.1:${server.port}`;
  const call = (method: string, path: string, body?: unknown, auth = true) =>
    fetch(`${base}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(auth ? { authorization: `Bearer ${ADMIN}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  /** Signs `email` up and confirms it with the link the log transport printed. */
  const subscribe = async (email: string) => {
    expect((await call('POST', '/lists/newsletter/subscribe', { email }, false)).status).toBe(202);
    const line = await server.waitFor(new RegExp(`"to":"${email}".*?/confirm\\?token=([\\w.-]+)`), 30_000);
    expect((await call('POST', '/confirm', { token: line[1] }, false)).status).toBe(200);
  };
  return { call, subscribe };
}

/** Each address the receiver heard of, with every webhook-id it came under. */
function idsByAddress(rx: Receiver) {
  const ids = new Map<string, Set<string>>();
  for (const r of rx.received) ids.set(r.json.data.email, (ids.get(r.json.data.email) ?? new Set()).add(String(r.headers['webhook-id'])));
  return ids;
}

describe('outbound webhooks across a SIGKILL', () => {
  it('loses nothing: deliveries failing or in flight when the server is killed are sent after the restart, under the same ids', async () => {
    const rx = await startReceiver();
    later(() => rx.close());
    const env = {
      DATABASE_PATH: join(files.dir(), 'listgate.db'),
      ADMIN_TOKEN: ADMIN,
      LOG_LEVEL: 'info',
      RATE_LIMIT_SIGNUP_BURST: '1000',
      RATE_LIMIT_ACTION_PER_MINUTE: '1000',
      WEBHOOK_TIMEOUT_MS: '20000',
    };
    const first = await start(env);
    const api = client(first);
    const made = await api.call('POST', '/v1/webhooks', { url: rx.url, events: ['subscriber.confirmed'] });
    expect(made.status).toBe(201);
    const { secret } = (await made.json()) as { secret: string };

    // The receiver fails the first attempts, then holds one request open: the kill lands mid-retry
    // with one attempt in flight.
    rx.answer({ status: 500 }, { status: 503 }, { status: 500 }, { hang: true });
    const emails = ['k1@example.com', 'k2@example.com', 'k3@example.com'];
    for (const email of emails) await api.subscribe(email);
    await until(() => rx.received.length >= 4, 'three failed attempts and one in flight', 60_000);
    await first.kill('SIGKILL');
    const beforeKill = rx.received.length;

    const second = await start(env);
    await until(() => emails.every((e) => rx.received.slice(beforeKill).some((r) => r.json.data.email === e)), 'every address delivered after the restart', 60_000);
    const byAddress = idsByAddress(rx);
    expect([...byAddress.keys()].sort()).toEqual(emails);
    // One message per address: every attempt, before and after the kill, under the same id.
    expect([...byAddress.values()].map((ids) => ids.size)).toEqual([1, 1, 1]);
    for (const r of rx.received) expect(verifyDelivery(secret, r, Number(r.headers['webhook-timestamp']) * 1000).type).toBe('subscriber.confirmed');

    const hooks = (await (await client(second).call('GET', '/v1/webhooks')).json()) as { data: Array<{ pending: number; status: string }> };
    expect(hooks.data[0]).toMatchObject({ status: 'active' });
    expect(await second.kill('SIGTERM')).toBe(0);
  }, 120_000);

  it('never holds up signups and confirmations while a receiver hangs', async () => {
    const rx = await startReceiver();
    later(() => rx.close());
    const env = { DATABASE_PATH: join(files.dir(), 'listgate.db'), ADMIN_TOKEN: ADMIN, LOG_LEVEL: 'info', RATE_LIMIT_SIGNUP_BURST: '1000', WEBHOOK_TIMEOUT_MS: '60000' };
    const server = await start(env);
    const api = client(server);
    expect((await api.call('POST', '/v1/webhooks', { url: rx.url, events: ['subscriber.confirmed'] })).status).toBe(201);
    rx.answer({ hang: true });
    await api.subscribe('first@example.com');
    await until(() => rx.received.length === 1, 'the delivery to hang', 60_000);
    // While that request hangs, people still sign up and confirm.
    for (const email of ['second@example.com', 'third@example.com']) await api.subscribe(email);
    expect(rx.received).toHaveLength(1);
  }, 120_000);
});
