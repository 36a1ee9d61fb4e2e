import { describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../support/app';
import { confirmed } from '../support/flow';
import { ADMIN, adminEnv, api } from '../support/operator';

const DAY = 86_400_000;
const count = (t: TestApp, table: string) => (t.sqlite.sqlite.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
/** Everything stored, as one string: what an address must not appear in once it is gone. */
const everything = (t: TestApp) =>
  JSON.stringify(
    (t.sqlite.sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '__drizzle%'").all() as Array<{ name: string }>).map(
      ({ name }) => t.sqlite.sqlite.prepare(`SELECT * FROM "${name}"`).all(),
    ),
  );

describe('nothing is kept longer than it is needed', () => {
  it('leaves nothing of an unconfirmed signup after its expiry but keyed hashes, and those go after the cap\'s 24 hours', async () => {
    const t = await testApp({ ...adminEnv, CONFIRM_TTL_HOURS: '2' });
    const res = await t.app.request('/lists/newsletter/subscribe', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'Evidence UA' },
      body: JSON.stringify({ email: 'Never.Confirmed@example.com', name: 'Nora Never' }),
    });
    expect(res.status).toBe(202);
    await t.deliver();
    expect(everything(t)).toMatch(/Never\.Confirmed@example\.com/);
    t.clock.advance(3 * 3600_000);
    await t.maintain();
    const after = everything(t);
    for (const trace of ['never.confirmed', 'Never.Confirmed', 'Nora Never', 'Evidence UA']) expect(after).not.toContain(trace);
    expect((await api(t, 'GET', '/v1/subscribers/never.confirmed@example.com', ADMIN)).status).toBe(404);
    // The mailbox's cap row (a keyed hash) stays for the cap's 24 hours, then goes too.
    expect(count(t, 'addresses')).toBe(1);
    t.clock.advance(DAY);
    await t.maintain();
    expect(count(t, 'addresses')).toBe(0);
  });

  it('purges sent mail, webhook receipts, delivery events and the audit log after their periods', async () => {
    const t = await testApp({ ...adminEnv, RETENTION_SENT_MAIL_DAYS: '7', RETENTION_WEBHOOK_RECEIPTS_DAYS: '30', RETENTION_DELIVERY_EVENTS_DAYS: '90', RETENTION_AUDIT_DAYS: '365' });
    await confirmed(t, 'kept@example.com');
    await api(t, 'POST', '/v1/events', ADMIN, { type: 'bounce', bounce_type: 'transient', email: 'kept@example.com' });
    t.sqlite.sqlite.prepare("INSERT INTO webhook_receipts (id, source, received_at) VALUES ('resend:msg_1', 'resend', ?)").run(t.clock.now());
    await api(t, 'GET', '/v1/subscribers/kept@example.com', ADMIN); // audited
    const sizes = () => ({ outbox: count(t, 'outbox'), batches: count(t, 'outbox_batches'), receipts: count(t, 'webhook_receipts'), events: count(t, 'delivery_events'), audit: count(t, 'audit_log') });
    const start = sizes();
    expect(start).toEqual({ outbox: 1, batches: 1, receipts: 1, events: 1, audit: 1 });
    t.clock.advance(8 * DAY);
    await t.maintain();
    expect(sizes()).toEqual({ ...start, outbox: 0, batches: 0 });
    t.clock.advance(23 * DAY);
    await t.maintain();
    expect(sizes()).toEqual({ outbox: 0, batches: 0, receipts: 0, events: 1, audit: 1 });
    t.clock.advance(60 * DAY);
    await t.maintain();
    expect(sizes()).toMatchObject({ events: 0, audit: 1 });
    t.clock.advance(275 * DAY);
    await t.maintain();
    expect(sizes()).toMatchObject({ audit: 0 });
    // The subscriber and the list's stats are not retention's business.
    expect(count(t, 'subscriptions')).toBe(1);
  });
});
