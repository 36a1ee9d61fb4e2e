import { describe, expect, it } from 'vitest';
import { testApp } from '../../support/app';
import { confirmed, pendingSignup } from '../../support/flow';
import { ADMIN, adminEnv, api, type Json, makeKey } from '../../support/operator';

type Feed = { data: Array<{ seq: number; type: string; email: string | null; at: string }>; next: number };
const feed = async (t: Awaited<ReturnType<typeof testApp>>, query = '', key = ADMIN) => {
  const res = await api(t, 'GET', `/v1/lists/newsletter/changes${query}`, key);
  expect(res.status).toBe(200);
  return (await res.json<Json>()) as Feed;
};

describe('GET /v1/lists/{list}/changes', () => {
  it('lists confirmations and unsubscriptions in order, and next is what to pass as after', async () => {
    const t = await testApp(adminEnv);
    expect(await feed(t)).toEqual({ data: [], next: 0 });
    await confirmed(t, 'a@example.com');
    await pendingSignup(t, 'quiet@example.com');
    await confirmed(t, 'b@example.com');
    await api(t, 'POST', '/v1/lists/newsletter/subscribers/a@example.com/unsubscribe', ADMIN);
    const all = await feed(t);
    expect(all.data.map((e) => [e.type, e.email])).toEqual([
      ['confirmed', 'a@example.com'],
      ['confirmed', 'b@example.com'],
      ['unsubscribed', 'a@example.com'],
    ]);
    expect(all.data[0].at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(all.next).toBe(all.data[2].seq);
    expect(all.data.map((e) => e.seq)).toEqual([...all.data.map((e) => e.seq)].sort((x, y) => x - y));

    const caughtUp = await feed(t, `?after=${all.next}`);
    expect(caughtUp).toEqual({ data: [], next: all.next });
    await confirmed(t, 'c@example.com');
    const more = await feed(t, `?after=${all.next}`);
    expect(more.data.map((e) => e.email)).toEqual(['c@example.com']);
  });

  it('pages with limit without skipping or repeating, while writes go on between pages', async () => {
    const t = await testApp(adminEnv);
    for (const e of ['p1', 'p2', 'p3', 'p4', 'p5']) await confirmed(t, `${e}@example.com`);
    const seen: number[] = [];
    let after = 0;
    for (let i = 0; i < 20; i++) {
      const page = await feed(t, `?after=${after}&limit=2`);
      if (page.data.length === 0) break;
      seen.push(...page.data.map((e) => e.seq));
      after = page.next;
      if (i < 2) await confirmed(t, `w${i}@example.com`);
    }
    expect(seen).toHaveLength(7);
    expect(new Set(seen).size).toBe(7);
  });

  it('shows only its own list, and answers 422 for a bad after or limit', async () => {
    const t = await testApp(adminEnv);
    await api(t, 'PUT', '/v1/lists/other', ADMIN, { name: 'Other' });
    await confirmed(t, 'o@example.com', { list: 'other' });
    expect((await feed(t)).data).toEqual([]);
    for (const q of ['?after=abc', '?after=-1', '?after=1.5', '?limit=10001', '?limit=0']) {
      expect((await api(t, 'GET', `/v1/lists/newsletter/changes${q}`, ADMIN)).status, q).toBe(422);
    }
    const k = await makeKey(t, ['export'], ['newsletter']);
    expect((await feed(t, '', k.key)).data).toEqual([]);
  });
});

describe('GET /v1/subscribers/{email}', () => {
  it('shows the address on every list with its state, times and consent evidence', async () => {
    const t = await testApp(adminEnv);
    await api(t, 'PUT', '/v1/lists/other', ADMIN, { name: 'Other' });
    await confirmed(t, 'Ada@Example.com', { name: 'Ada' });
    await pendingSignup(t, 'ada@example.com', { list: 'other' });
    const res = await api(t, 'GET', `/v1/subscribers/${encodeURIComponent('ADA@example.COM')}`, ADMIN);
    expect(res.status).toBe(200);
    const body = await res.json<Json>();
    expect(body.email).toBe('Ada@example.com');
    expect(body.suppression).toBeNull();
    expect(body.subscriptions).toHaveLength(2);
    const [news, other] = [body.subscriptions.find((s: { list: string }) => s.list === 'newsletter'), body.subscriptions.find((s: { list: string }) => s.list === 'other')];
    expect(news).toMatchObject({ state: 'confirmed', name: 'Ada', signup: { ip: expect.stringMatching(/^198\.51\./) }, confirmation: { ip: expect.stringMatching(/^198\.51\./) }, unsubscribe: null });
    expect(news.confirmed_at).toMatch(/Z$/);
    expect(other).toMatchObject({ state: 'pending', confirmed_at: null, confirmation: null });
  });

  it('shows who unsubscribed an address, and answers 404 for an address on no list, 422 for a non-address', async () => {
    const t = await testApp(adminEnv);
    await confirmed(t, 'gone@example.com');
    const admin = await makeKey(t, ['admin']);
    expect((await api(t, 'POST', '/v1/lists/newsletter/subscribers/gone@example.com/unsubscribe', admin.key)).status).toBe(200);
    const body = await (await api(t, 'GET', '/v1/subscribers/gone@example.com', ADMIN)).json<Json>();
    expect(body.subscriptions[0]).toMatchObject({ state: 'unsubscribed', unsubscribe: { source: `operator:${admin.id}` } });
    expect((await api(t, 'GET', '/v1/subscribers/nobody@example.com', ADMIN)).status).toBe(404);
    expect((await api(t, 'GET', '/v1/subscribers/not-an-address', ADMIN)).status).toBe(422);
  });
});

describe('POST /v1/lists/{list}/subscribers/{email}/unsubscribe', () => {
  it('takes the address off that list only, repeatably, and a list-limited admin key may do it on its list', async () => {
    const t = await testApp(adminEnv);
    await api(t, 'PUT', '/v1/lists/other', ADMIN, { name: 'Other' });
    await confirmed(t, 'x@example.com');
    await confirmed(t, 'x@example.com', { list: 'other' });
    const k = await makeKey(t, ['admin'], ['newsletter']);
    const first = await api(t, 'POST', '/v1/lists/newsletter/subscribers/x@example.com/unsubscribe', k.key);
    expect(first.status).toBe(200);
    expect(await first.json<Json>()).toEqual({ status: 'unsubscribed' });
    expect((await api(t, 'POST', '/v1/lists/newsletter/subscribers/x@example.com/unsubscribe', k.key)).status).toBe(200);
    expect((await api(t, 'POST', '/v1/lists/other/subscribers/x@example.com/unsubscribe', k.key)).status).toBe(403);
    expect((await api(t, 'POST', '/v1/lists/newsletter/subscribers/y@example.com/unsubscribe', k.key)).status).toBe(404);
    const counts = t.sqlite.sqlite.prepare('SELECT slug, count_confirmed AS c, count_unsubscribed AS u FROM lists ORDER BY slug').all();
    expect(counts).toEqual([
      { slug: 'newsletter', c: 0, u: 1 },
      { slug: 'other', c: 1, u: 0 },
    ]);
  });
});
