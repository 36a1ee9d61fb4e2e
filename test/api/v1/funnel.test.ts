import { describe, expect, it } from 'vitest';
import { signup, testApp, type TestApp } from '../../support/app';
import { confirmed } from '../../support/flow';
import { confirmTokenFor } from '../../support/mail';
import { ADMIN, adminEnv, api, type Json } from '../../support/operator';

const DAY = 86_400_000;
const MIN = 60_000;
const stats = async (t: TestApp, query = '') => (await (await api(t, 'GET', `/v1/lists/newsletter/stats${query}`, ADMIN)).json()) as Json;
const daily = async (t: TestApp, days: number) => ((await (await api(t, 'GET', `/v1/lists/newsletter/stats/daily?days=${days}`, ADMIN)).json()) as Json).data;

let ips = 0;
/** Signs `email` up now, delivers its mail, and confirms it `after` ms later (or never). */
async function history(t: TestApp, email: string, after: number | null) {
  t.clock.advance(16 * MIN);
  expect((await signup(t, email, { ip: `198.51.100.${++ips % 250}` })).status).toBe(202);
  await t.deliver();
  if (after === null) return;
  t.clock.advance(after);
  const res = await t.app.request('/confirm', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: confirmTokenFor(t.mailer.sent, email) }) });
  expect(res.status).toBe(200);
}

describe('the confirmation funnel, by cohort and mailbox provider', () => {
  it('counts signups, mails sent, confirmations, the median time to confirm and each provider, for the last `days`', async () => {
    const t = await testApp(adminEnv);
    // An old cohort, 40 days ago: outside the default 30 days.
    await history(t, 'old1@gmail.com', 2 * MIN);
    await history(t, 'old2@gmail.com', null);
    t.clock.advance(40 * DAY);
    // This month's cohort: 6 signups, 4 confirmed after 30 s, 3 min, 20 min and 30 hours.
    await history(t, 'a@gmail.com', 30_000);
    await history(t, 'b@googlemail.com', 3 * MIN);
    await history(t, 'c@outlook.com', 20 * MIN);
    await history(t, 'd@yahoo.com', null);
    await history(t, 'e@example.org', null);
    await history(t, 'f@proton.me', 30 * 3_600_000);
    const { funnel } = await stats(t);
    expect(funnel).toMatchObject({ days: 30, signups: 6, mails_sent: 6, confirmed: 4, confirmation_rate: 4 / 6 });
    // The median lies between the 2nd (3 min) and the 3rd (20 min) fastest; from buckets, it is approximate.
    expect(funnel.median_seconds_to_confirm).toBeGreaterThanOrEqual(180);
    expect(funnel.median_seconds_to_confirm).toBeLessThanOrEqual(1800);
    expect(funnel.by_provider).toEqual({
      gmail: { signups: 2, confirmed: 2, confirmation_rate: 1 },
      outlook: { signups: 1, confirmed: 1, confirmation_rate: 1 },
      yahoo: { signups: 1, confirmed: 0, confirmation_rate: 0 },
      icloud: { signups: 0, confirmed: 0, confirmation_rate: null },
      proton: { signups: 1, confirmed: 1, confirmation_rate: 1 },
      other: { signups: 1, confirmed: 0, confirmation_rate: 0 },
    });
    // 60 days reach the old cohort too.
    expect((await stats(t, '?days=60')).funnel).toMatchObject({ signups: 8, confirmed: 5 });
    expect((await api(t, 'GET', '/v1/lists/newsletter/stats?days=401', ADMIN)).status).toBe(422);
  });

  it('has no median before any confirmation, and counts imports and resends as no signups', async () => {
    const t = await testApp(adminEnv);
    await history(t, 'one@example.com', null);
    t.clock.advance(20 * MIN);
    await signup(t, 'one@example.com'); // a repeat: a resend, not a second signup
    await t.deliver();
    expect((await stats(t)).funnel).toMatchObject({ signups: 1, mails_sent: 1, confirmed: 0, confirmation_rate: 0, median_seconds_to_confirm: null });
  });
});

describe('daily stats', () => {
  it('answers one row per UTC day, oldest first, days without activity as zeros', async () => {
    const t = await testApp(adminEnv);
    const today = () => new Date(t.clock.now()).toISOString().slice(0, 10);
    await confirmed(t, 'x@example.com');
    await confirmed(t, 'y@example.com');
    const day1 = today();
    t.clock.advance(2 * DAY);
    await signup(t, 'z@example.com');
    const { unsub_token } = t.sqlite.sqlite.prepare("SELECT unsub_token FROM subscriptions WHERE email = 'x@example.com'").get() as Json;
    await t.app.request(`/unsubscribe?token=${unsub_token}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
    await api(t, 'POST', '/v1/events', ADMIN, { type: 'bounce', bounce_type: 'permanent', email: 'y@example.com' });
    await api(t, 'POST', '/v1/events', ADMIN, { type: 'complaint', email: 'x@example.com' });
    const rows = await daily(t, 4);
    expect(rows.map((r: Json) => r.date)).toHaveLength(4);
    expect(rows.at(-1).date).toBe(today());
    expect(rows[1]).toEqual({ date: day1, signups: 2, confirmed: 2, unsubscribed: 0, bounced: 0, complained: 0 });
    expect(rows[2]).toMatchObject({ signups: 0, confirmed: 0, unsubscribed: 0, bounced: 0, complained: 0 });
    expect(rows[3]).toEqual({ date: today(), signups: 1, confirmed: 0, unsubscribed: 1, bounced: 1, complained: 1 });
    expect(await daily(t, 30)).toHaveLength(30);
    expect((await api(t, 'GET', '/v1/lists/newsletter/stats/daily?days=401', ADMIN)).status).toBe(422);
  });
});
