import { afterEach, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../support/app';
import { startReceiver, verifyDelivery, type Receiver } from '../support/fakes/receiver';
import { confirmed, pendingSignup, subscriptionRow } from '../support/flow';
import { jsonHeaders } from '../support/requests';
import { adminEnv, api, makeList } from '../support/operator';
import { makeWebhook, pusher } from '../support/push';
import { postResend, RESEND_SECRET, resendEvent } from '../support/webhooks';

const cleanups: Array<() => Promise<unknown> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(env: Record<string, string> = {}) {
  const t = await testApp({ ...adminEnv, RESEND_WEBHOOK_SECRET: RESEND_SECRET, ...env });
  const rx = await startReceiver();
  cleanups.push(() => rx.close());
  return { t, rx, push: pusher(t) };
}

/** The payloads the receiver got, each verified with the receiver-side library at the time it was signed. */
function verified(t: TestApp, rx: Receiver, secret: string) {
  return rx.received.map((r) => verifyDelivery(secret, r, Number(r.headers['webhook-timestamp']) * 1000));
}

describe('outbound webhooks: what is delivered', () => {
  it('signs each delivery per Standard Webhooks, verified by the standardwebhooks package', async () => {
    const { t, rx, push } = await setup();
    const hook = await makeWebhook(t, { url: rx.url, events: ['subscriber.confirmed'] });
    expect(hook.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    await confirmed(t, 'ann@example.com', { name: 'Ann' });
    await push.run();

    expect(rx.received).toHaveLength(1);
    const [r] = rx.received;
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.headers['webhook-id']).toMatch(/^msg_[0-9a-f]{24}$/);
    expect(Number(r.headers['webhook-timestamp'])).toBe(Math.floor(t.clock.now() / 1000));
    const payload = verifyDelivery(hook.secret, r, t.clock.now());
    const row = subscriptionRow(t, 'ann@example.com');
    expect(payload).toEqual({
      type: 'subscriber.confirmed',
      timestamp: new Date(row.confirmed_at as number).toISOString(),
      data: {
        list: 'newsletter',
        id: row.public_id,
        seq: expect.any(Number),
        email: 'ann@example.com',
        name: 'Ann',
        confirmed_at: new Date(row.confirmed_at as number).toISOString(),
        unsubscribe_url: `https://lists.example.org/unsubscribe?token=${row.unsub_token}`,
      },
    });
    // Another secret does not verify it: the signature is real.
    expect(() => verifyDelivery(`whsec_${btoa('x'.repeat(32))}`, r, t.clock.now())).toThrow();
  });

  it('delivers every kind of state change: one-click unsubscribe, "not me", suppression by a bounce, erasure', async () => {
    const { t, rx, push } = await setup();
    const hook = await makeWebhook(t, { url: rx.url, events: ['subscriber.confirmed', 'subscriber.unsubscribed', 'subscriber.suppressed', 'subscriber.erased'] });
    for (const who of ['one@example.com', 'two@example.com', 'three@example.com', 'four@example.com']) await confirmed(t, who);
    const unsub = subscriptionRow(t, 'one@example.com').unsub_token as string;
    expect((await t.app.request(`/unsubscribe?token=${unsub}`, { method: 'POST', body: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } })).status).toBe(200);
    // "this wasn't me" from a later signup's mail suppresses the mailbox everywhere.
    await makeList(t, 'other');
    t.clock.advance(16 * 60_000);
    const { notMe } = await pendingSignup(t, 'two@example.com', { list: 'other' });
    expect((await t.app.request('/not-me', { method: 'POST', headers: jsonHeaders, body: JSON.stringify({ token: notMe }) })).status).toBe(200);
    expect((await postResend(t, resendEvent(t, 'email.bounced', 'three@example.com', { bounce: { type: 'Permanent' } }))).status).toBe(200);
    const four = subscriptionRow(t, 'four@example.com').public_id;
    expect((await api(t, 'DELETE', '/v1/subscribers/four@example.com')).status).toBe(200);
    await push.run();

    const events = verified(t, rx, hook.secret).map((p) => [p.type, p.data.email]);
    expect(events).toEqual([
      ['subscriber.confirmed', 'one@example.com'],
      ['subscriber.confirmed', 'two@example.com'],
      ['subscriber.confirmed', 'three@example.com'],
      // Sent after the erasure: built when delivered, so the address is gone.
      ['subscriber.confirmed', null],
      ['subscriber.unsubscribed', 'one@example.com'],
      ['subscriber.suppressed', 'two@example.com'],
      ['subscriber.suppressed', 'three@example.com'],
      ['subscriber.erased', null],
    ]);
    const erased = verified(t, rx, hook.secret).at(-1);
    expect(erased.data).toEqual({ list: 'newsletter', id: four, seq: expect.any(Number), email: null, name: null, confirmed_at: null, unsubscribe_url: null });
    expect(JSON.stringify(rx.received.map((r) => r.body))).not.toContain('four@example.com');
  });

  it('builds the payload when it is delivered: an erasure in between removes the address', async () => {
    const { t, rx, push } = await setup();
    const hook = await makeWebhook(t, { url: rx.url, events: ['subscriber.confirmed', 'subscriber.erased'] });
    await confirmed(t, 'gone@example.com', { name: 'Gone' });
    rx.answer({ status: 503 });
    await push.run();
    expect(verified(t, rx, hook.secret)[0].data.email).toBe('gone@example.com');
    expect((await api(t, 'DELETE', '/v1/subscribers/gone@example.com')).status).toBe(200);
    await push.dueNow();
    await push.run();
    const [, retry, erasure] = verified(t, rx, hook.secret);
    expect(rx.received[1].headers['webhook-id']).toBe(rx.received[0].headers['webhook-id']);
    expect(retry).toMatchObject({ type: 'subscriber.confirmed', data: { email: null, name: null, unsubscribe_url: null } });
    expect(erasure).toMatchObject({ type: 'subscriber.erased', data: { email: null } });
  });

  it('filters by event and by list', async () => {
    const { t, rx, push } = await setup();
    await makeList(t, 'weekly');
    const hook = await makeWebhook(t, { url: rx.url, events: ['subscriber.unsubscribed'], lists: ['weekly'] });
    await confirmed(t, 'a@example.com', { list: 'weekly' });
    await confirmed(t, 'b@example.com');
    for (const list of ['weekly', 'newsletter']) {
      await api(t, 'POST', `/v1/lists/${list}/subscribers/${list === 'weekly' ? 'a' : 'b'}@example.com/unsubscribe`);
    }
    await push.run();
    expect(verified(t, rx, hook.secret).map((p) => [p.type, p.data.list, p.data.email])).toEqual([['subscriber.unsubscribed', 'weekly', 'a@example.com']]);
  });

  it('passes over silent feed events (imported rows the import did not announce)', async () => {
    const { t, rx, push } = await setup();
    await makeWebhook(t, { url: rx.url, events: ['subscriber.confirmed'] });
    await confirmed(t, 'quiet@example.com');
    t.sqlite.sqlite.prepare('UPDATE changes SET silent = 1').run();
    await confirmed(t, 'loud@example.com');
    await push.run();
    expect(rx.received.map((r) => r.json.data.email)).toEqual(['loud@example.com']);
  });

  it('hears only of what happens after it was made', async () => {
    const { t, rx, push } = await setup();
    await confirmed(t, 'before@example.com');
    await makeWebhook(t, { url: rx.url, events: ['subscriber.confirmed'] });
    await confirmed(t, 'after@example.com');
    await push.run();
    expect(rx.received.map((r) => r.json.data.email)).toEqual(['after@example.com']);
  });
});
