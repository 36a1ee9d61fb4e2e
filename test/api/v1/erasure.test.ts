import { describe, expect, it } from 'vitest';
import { purgeExpiredPending } from '../../../src/db/queries/subscriptions';
import { signup, type TestApp, testApp } from '../../support/app';
import { confirmed } from '../../support/flow';
import { ADMIN, api, feed } from '../../support/operator';

const env = { ADMIN_TOKEN: ADMIN };
const count = (t: TestApp, sql: string) => (t.sqlite.sqlite.prepare(sql).get() as { n: number }).n;

async function oneClick(t: TestApp, email: string) {
  const { unsub_token } = t.sqlite.sqlite.prepare('SELECT unsub_token FROM subscriptions WHERE email = ?').get(email) as { unsub_token: string };
  const res = await t.app.request(`/unsubscribe?token=${unsub_token}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'List-Unsubscribe=One-Click',
  });
  expect(res.status).toBe(200);
}

describe('erasure leaves no address behind, whatever happened before', () => {
  it('scrubs the feed and writes `erased` for a renewed signup that expired before the erasure', async () => {
    const t = await testApp(env);
    await confirmed(t, 'e@example.com');
    await oneClick(t, 'e@example.com');
    t.clock.advance(16 * 60_000);
    expect((await signup(t, 'e@example.com')).status).toBe(202); // renewed: pending again
    t.clock.advance(49 * 3600_000);
    await purgeExpiredPending(t.deps.db, t.clock.now());
    const res = await api(t, 'DELETE', '/v1/subscribers/e@example.com');
    expect(await res.json()).toEqual({ status: 'erased', lists: 1 });
    expect(await feed(t, 1)).toEqual([
      { type: 'confirmed', email: null },
      { type: 'unsubscribed', email: null },
      { type: 'erased', email: null },
    ]);
    expect(count(t, "SELECT count(*) AS n FROM outbox WHERE to_addr = 'e@example.com'")).toBe(0);
  });

  it('deletes the mail of purged pending signups with them', async () => {
    const t = await testApp(env);
    await signup(t, 'p@example.com');
    await t.deliver();
    expect(count(t, "SELECT count(*) AS n FROM outbox WHERE to_addr = 'p@example.com'")).toBe(1);
    t.clock.advance(49 * 3600_000);
    expect(await purgeExpiredPending(t.deps.db, t.clock.now())).toBe(1);
    expect(count(t, "SELECT count(*) AS n FROM outbox WHERE to_addr = 'p@example.com'")).toBe(0);
  });

  it('keeps only the keyed hash in the audit log of lookups and operator unsubscribes', async () => {
    const t = await testApp(env);
    await confirmed(t, 'audit@example.com');
    expect((await api(t, 'GET', '/v1/subscribers/audit@example.com')).status).toBe(200);
    expect((await api(t, 'POST', '/v1/lists/newsletter/subscribers/audit@example.com/unsubscribe')).status).toBe(200);
    expect((await api(t, 'DELETE', '/v1/subscribers/audit@example.com')).status).toBe(200);
    const log = JSON.stringify(t.sqlite.sqlite.prepare('SELECT * FROM audit_log').all());
    expect(log).toContain('subscriber.lookup');
    expect(log).not.toContain('audit@example.com');
  });
});

describe('the changes feed speaks only of addresses a mailer could have exported', () => {
  it('writes nothing when a pending address is unsubscribed or suppressed', async () => {
    const t = await testApp(env);
    await signup(t, 'pend@example.com');
    await signup(t, 'pend2@example.com');
    expect((await api(t, 'POST', '/v1/events', ADMIN, { type: 'unsubscribe', email: 'pend@example.com' })).status).toBe(200);
    expect((await api(t, 'POST', '/v1/events', ADMIN, { type: 'complaint', email: 'pend2@example.com' })).status).toBe(200);
    expect(await feed(t, 1)).toEqual([]);
  });

  it('still tells of a confirmed address that leaves, and of its later suppression', async () => {
    const t = await testApp(env);
    await confirmed(t, 'c@example.com');
    await oneClick(t, 'c@example.com');
    expect((await api(t, 'POST', '/v1/events', ADMIN, { type: 'complaint', email: 'c@example.com' })).status).toBe(200);
    expect((await feed(t, 1)).map((e) => e.type)).toEqual(['confirmed', 'unsubscribed', 'suppressed']);
  });

  it('never hands out a confirmation position twice, even after the newest one is erased', async () => {
    const t = await testApp(env);
    await confirmed(t, 'q1@example.com');
    await confirmed(t, 'q2@example.com');
    const top = (t.sqlite.sqlite.prepare("SELECT confirm_seq AS s FROM subscriptions WHERE email = 'q2@example.com'").get() as { s: number }).s;
    expect((await api(t, 'DELETE', '/v1/subscribers/q2@example.com')).status).toBe(200);
    await confirmed(t, 'q3@example.com');
    const next = (t.sqlite.sqlite.prepare("SELECT confirm_seq AS s FROM subscriptions WHERE email = 'q3@example.com'").get() as { s: number }).s;
    expect(next).toBeGreaterThan(top);
  });
});
