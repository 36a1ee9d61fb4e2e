import { describe, expect, it } from 'vitest';
import { signup, testApp, type TestApp } from '../../support/app';
import { confirmed } from '../../support/flow';
import { ADMIN, adminEnv, api, parseCsv, type Json } from '../../support/operator';

const get = async (t: TestApp, path: string) => (await (await api(t, 'GET', path, ADMIN)).json()) as Json;
const unsubscribe = async (t: TestApp, email: string) => {
  const { unsub_token } = t.sqlite.sqlite.prepare('SELECT unsub_token FROM subscriptions WHERE email = ?').get(email) as Json;
  await t.app.request(`/unsubscribe?token=${unsub_token}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
};

describe('every subscription has a stable opaque id', () => {
  it('carries it in CSV (last column), NDJSON, JSON pages and every feed event; an erased event carries only it', async () => {
    const t = await testApp(adminEnv);
    await confirmed(t, 'ida@example.com');
    await confirmed(t, 'idb@example.com');
    const csv = parseCsv(await (await api(t, 'GET', '/v1/lists/newsletter/subscribers', ADMIN)).text());
    expect(csv[0]).toEqual(['email', 'name', 'confirmed_at', 'unsubscribe_url', 'id']);
    const ids = csv.slice(1).map((r) => r[4]);
    expect(ids).toHaveLength(2);
    expect(new Set(ids).size).toBe(2);
    for (const id of ids) expect(id).toMatch(/^sub_[A-Za-z0-9_-]{16}$/);
    const nd = (await (await api(t, 'GET', '/v1/lists/newsletter/subscribers?format=ndjson', ADMIN)).text()).trim().split('\n').map((l) => JSON.parse(l));
    expect(nd.map((r: Json) => r.id)).toEqual(ids);
    expect((await get(t, '/v1/lists/newsletter/subscribers?format=json')).data.map((r: Json) => r.id)).toEqual(ids);

    await api(t, 'DELETE', '/v1/subscribers/ida@example.com', ADMIN);
    const feed = (await get(t, '/v1/lists/newsletter/changes')).data;
    expect(feed.map((e: Json) => [e.type, e.id, e.email])).toEqual([
      ['confirmed', ids[0], null],
      ['confirmed', ids[1], 'idb@example.com'],
      ['erased', ids[0], null],
    ]);
  });

  it('keeps the id when an address unsubscribes and confirms again', async () => {
    const t = await testApp(adminEnv);
    await confirmed(t, 'again@example.com');
    const first = (await get(t, '/v1/lists/newsletter/subscribers?format=json')).data[0].id;
    await unsubscribe(t, 'again@example.com');
    await confirmed(t, 'again@example.com');
    expect((await get(t, '/v1/lists/newsletter/subscribers?format=json')).data.map((r: Json) => r.id)).toEqual([first]);
    expect(new Set((await get(t, '/v1/lists/newsletter/changes')).data.map((e: Json) => e.id))).toEqual(new Set([first]));
  });
});

describe('a walk shows each address once', () => {
  it('does not show again an address that unsubscribes and confirms again during a JSON walk, and misses none confirmed before it', async () => {
    const t = await testApp(adminEnv);
    const people = ['w1', 'w2', 'w3', 'w4', 'w5'].map((p) => `${p}@example.com`);
    for (const p of people) await confirmed(t, p);
    const page1 = await get(t, '/v1/lists/newsletter/subscribers?format=json&limit=2');
    expect(page1.data.map((r: Json) => r.email)).toEqual(['w1@example.com', 'w2@example.com']);
    // w1 (seen) and w4 (not yet seen) both leave and come back during the walk.
    for (const p of ['w1@example.com', 'w4@example.com']) {
      await unsubscribe(t, p);
      await confirmed(t, p);
    }
    await confirmed(t, 'late@example.com');
    const seen = [...page1.data];
    for (let cursor = page1.next_cursor; cursor; ) {
      const page = await get(t, `/v1/lists/newsletter/subscribers?format=json&limit=2&cursor=${cursor}`);
      seen.push(...page.data);
      cursor = page.next_cursor;
    }
    const emails = seen.map((r: Json) => r.email);
    expect(new Set(emails).size).toBe(emails.length);
    // Everyone confirmed before the walk began and confirmed when their page was read.
    for (const p of ['w1@example.com', 'w2@example.com', 'w3@example.com', 'w5@example.com']) expect(emails).toContain(p);
  });

  it('never streams a row whose mailbox is suppressed, whatever its state column says', async () => {
    const t = await testApp(adminEnv);
    await confirmed(t, 'keep@example.com');
    await confirmed(t, 'hidden@example.com');
    await api(t, 'POST', '/v1/suppressions', ADMIN, { email: 'hidden@example.com' });
    // Even a row put back to `confirmed` by hand stays out while the suppression exists.
    t.sqlite.sqlite.prepare("UPDATE subscriptions SET state = 'confirmed' WHERE email = 'hidden@example.com'").run();
    const csv = await (await api(t, 'GET', '/v1/lists/newsletter/subscribers', ADMIN)).text();
    expect(csv).toContain('keep@example.com');
    expect(csv).not.toContain('hidden@example.com');
    expect((await get(t, '/v1/lists/newsletter/subscribers?format=json')).data.map((r: Json) => r.email)).toEqual(['keep@example.com']);
  });

  it('reads old cursors (without the walk bound) and refuses forged ones with 422', async () => {
    const t = await testApp(adminEnv);
    for (const p of ['c1', 'c2', 'c3']) await confirmed(t, `${p}@example.com`);
    const seq = (t.sqlite.sqlite.prepare("SELECT confirm_seq AS s FROM subscriptions WHERE email = 'c1@example.com'").get() as Json).s;
    const old = btoa(`s${seq}`).replace(/=+$/, '');
    expect((await get(t, `/v1/lists/newsletter/subscribers?format=json&cursor=${old}`)).data.map((r: Json) => r.email)).toEqual(['c2@example.com', 'c3@example.com']);
    expect((await api(t, 'GET', '/v1/lists/newsletter/subscribers?format=json&cursor=bm9wZQ', ADMIN)).status).toBe(422);
    expect((await signup(t, 'x@example.com')).status).toBe(202);
  });
});
