import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { listDaily } from '../../../src/db/schema';
import { signup, type TestApp, testApp } from '../../support/app';
import { confirmed } from '../../support/flow';
import { ADMIN, api, apiKey, makeList } from '../../support/operator';

const DAY = 86_400_000;
const env = { ADMIN_TOKEN: ADMIN };

/** Adds to one list's day, `daysAgo` UTC days before the test clock's day. */
async function daily(t: TestApp, listId: number, daysAgo: number, c: { delivered?: number; hard?: number; soft?: number; complaints?: number }) {
  const day = Math.floor(t.clock.now() / DAY) - daysAgo;
  await t.deps.db
    .insert(listDaily)
    .values({ listId, day, delivered: c.delivered ?? 0, hardBounces: c.hard ?? 0, softBounces: c.soft ?? 0, complaints: c.complaints ?? 0 })
    .onConflictDoUpdate({
      target: [listDaily.listId, listDaily.day],
      set: {
        delivered: sql`${listDaily.delivered} + excluded.delivered`,
        hardBounces: sql`${listDaily.hardBounces} + excluded.hard_bounces`,
        softBounces: sql`${listDaily.softBounces} + excluded.soft_bounces`,
        complaints: sql`${listDaily.complaints} + excluded.complaints`,
      },
    });
}

async function stats(t: TestApp, slug: string) {
  const res = await api(t, 'GET', `/v1/lists/${slug}/stats`);
  expect(res.status).toBe(200);
  return res.json() as Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

describe('GET /v1/lists/{list}/stats', () => {
  it('answers to admin keys (also list-limited ones), 403 for export keys, other lists or scopes, 404 for unknown lists', async () => {
    const t = await testApp(env);
    await makeList(t, 'other');
    expect((await api(t, 'GET', '/v1/lists/newsletter/stats', await apiKey(t, ['export']))).status).toBe(403);
    expect((await api(t, 'GET', '/v1/lists/newsletter/stats', await apiKey(t, ['admin'], ['newsletter']))).status).toBe(200);
    expect((await api(t, 'GET', '/v1/lists/newsletter/stats', await apiKey(t, ['events']))).status).toBe(403);
    expect((await api(t, 'GET', '/v1/lists/newsletter/stats', await apiKey(t, ['admin'], ['other']))).status).toBe(403);
    expect((await api(t, 'GET', '/v1/lists/nope/stats')).status).toBe(404);
    expect((await t.app.request('/v1/lists/newsletter/stats')).status).toBe(401);
  });

  it('counts by state and the confirmation rate from real signups', async () => {
    const t = await testApp(env);
    await confirmed(t, 'a@example.com');
    await confirmed(t, 'b@example.com');
    await confirmed(t, 'c@example.com');
    await signup(t, 'pending@example.com');
    await api(t, 'POST', '/v1/events', ADMIN, { type: 'unsubscribe', email: 'b@example.com' });
    await api(t, 'POST', '/v1/events', ADMIN, { type: 'complaint', email: 'c@example.com' });
    const s = await stats(t, 'newsletter');
    expect(s.counts).toEqual({ pending: 1, confirmed: 1, unsubscribed: 1, suppressed: 1 });
    expect(s).toMatchObject({ signups: 4, confirmations: 3, confirmation_rate: 0.75, delivered: 0, complaints: 1 });
    // One complaint over no deliveries: the rate is undefined and the volume too low to judge.
    expect(s.complaint).toEqual({ count: 1, denominator: 0, rate: null, status: 'low_volume', level: 'ok' });
    expect(s.status).toBe('low_volume');
    expect(s.outbox).toEqual({ queued: 1, failed: 0 }); // the pending signup's mail, not yet sent
  });

  it.each([
    // delivered, hard, complaints -> bounce status, complaint status, overall (hand-worked)
    [190, 10, 0, 'warning', 'ok', 'warning'], // 10/200 = 5 % exactly: warning (inclusive)
    [191, 9, 0, 'ok', 'ok', 'ok'], // 9/200 = 4.5 %
    [180, 20, 0, 'critical', 'ok', 'critical'], // 20/200 = 10 % exactly
    [181, 19, 0, 'warning', 'ok', 'warning'], // 9.5 %
    [1000, 0, 1, 'ok', 'warning', 'warning'], // 1/1000 = 0.1 % exactly
    [1001, 0, 1, 'ok', 'ok', 'ok'], // 0.0999 %
    [1000, 0, 5, 'ok', 'critical', 'critical'], // 0.5 % exactly
    [1000, 0, 4, 'ok', 'warning', 'warning'], // 0.4 %
  ] as const)('delivered %i, hard bounces %i, complaints %i: bounce %s, complaint %s, overall %s', async (delivered, hard, complaints, b, c, overall) => {
    const t = await testApp(env);
    // Spread over the window, with the oldest day (29 days ago) inside it.
    await daily(t, 1, 29, { delivered: Math.floor(delivered / 2), hard: Math.floor(hard / 2) });
    await daily(t, 1, 0, { delivered: delivered - Math.floor(delivered / 2), hard: hard - Math.floor(hard / 2), complaints });
    const s = await stats(t, 'newsletter');
    expect(s.volume).toBe(delivered + hard);
    expect(s.bounce).toMatchObject({ count: hard, denominator: delivered + hard, status: b });
    expect(s.complaint).toMatchObject({ count: complaints, denominator: delivered, status: c });
    expect(s.status).toBe(overall);
  });

  it('calls fewer than 200 deliveries low_volume, while still showing the level', async () => {
    const t = await testApp(env);
    await daily(t, 1, 3, { delivered: 150, hard: 49 }); // 199 < 200
    const s = await stats(t, 'newsletter');
    expect(s.bounce).toMatchObject({ count: 49, denominator: 199, status: 'low_volume', level: 'critical' });
    expect(s.status).toBe('low_volume');
    await daily(t, 1, 3, { delivered: 1 }); // 200: judged
    expect((await stats(t, 'newsletter')).bounce).toMatchObject({ denominator: 200, status: 'critical' });
  });

  it('sums exactly the last 30 UTC days and one list only', async () => {
    const t = await testApp(env);
    const other = await makeList(t, 'other');
    await daily(t, 1, 30, { delivered: 1000, hard: 1000, soft: 7, complaints: 50 }); // outside
    await daily(t, 1, 29, { delivered: 300, hard: 3, soft: 2 });
    await daily(t, other.id, 0, { delivered: 5, hard: 5 });
    const s = await stats(t, 'newsletter');
    expect(s).toMatchObject({ delivered: 300, hard_bounces: 3, soft_bounces: 2, complaints: 0, status: 'ok' });
    expect(s.window).toEqual({ days: 30, from: '2026-10-03', to: '2026-11-01' });
  });

  it('reflects webhook events end to end and logs a warning when the status changes', async () => {
    const t = await testApp(env);
    await confirmed(t, 'x@example.com');
    await daily(t, 1, 1, { delivered: 199 });
    expect((await stats(t, 'newsletter')).status).toBe('low_volume');
    await api(t, 'POST', '/v1/events', ADMIN, { type: 'bounce', bounce_type: 'permanent', email: 'x@example.com' }); // 1/200
    const warnings = t.logs.map((l) => JSON.parse(l)).filter((l) => l.msg === 'list health status changed');
    expect(warnings).toMatchObject([{ level: 'warn', list: 'newsletter', from: 'low_volume', to: 'ok' }]);
    const s = await stats(t, 'newsletter');
    expect(s.bounce).toMatchObject({ count: 1, denominator: 200, rate: 0.005, status: 'ok' });
    // Reading again does not warn again.
    expect(t.logs.filter((l) => l.includes('list health status changed'))).toHaveLength(1);
  });
});
