import { describe, expect, it } from 'vitest';
import { deliveryEvents, listDaily } from '../../../src/db/schema';
import { signup, testApp } from '../../support/app';
import { confirmed } from '../../support/flow';
import { ADMIN, api, apiKey, feed, makeList, states, suppressionRows } from '../../support/operator';

const DAY = 86_400_000;
const env = { ADMIN_TOKEN: ADMIN };

describe('POST /v1/events', () => {
  it('needs a key with the events scope', async () => {
    const t = await testApp(env);
    const body = { type: 'complaint', email: 'a@example.com' };
    expect((await t.app.request('/v1/events', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).status).toBe(401);
    expect((await api(t, 'POST', '/v1/events', 'nope-not-a-key', body)).status).toBe(401);
    expect((await api(t, 'POST', '/v1/events', await apiKey(t, ['export']), body)).status).toBe(403);
    expect((await api(t, 'POST', '/v1/events', await apiKey(t, ['events']), body)).status).toBe(200);
  });

  it('suppresses on a permanent bounce and on a complaint', async () => {
    const t = await testApp(env);
    const key = await apiKey(t, ['events']);
    await confirmed(t, 'ann@example.com');
    await confirmed(t, 'bob@example.com');
    expect((await api(t, 'POST', '/v1/events', key, { type: 'bounce', bounce_type: 'permanent', email: 'Ann@Example.com' })).status).toBe(200);
    expect((await api(t, 'POST', '/v1/events', key, { type: 'complaint', email: 'bob@example.com' })).status).toBe(200);
    expect(await states(t, 'ann@example.com')).toMatchObject([{ state: 'suppressed' }]);
    expect(await states(t, 'bob@example.com')).toMatchObject([{ state: 'suppressed' }]);
    expect((await suppressionRows(t)).map((s) => [s.email, s.reason])).toEqual([['Ann@example.com', 'hard_bounce'], ['bob@example.com', 'complaint']]);
  });

  it('unsubscribes from every list without `list`, shown as `unsubscribed` in each feed', async () => {
    const t = await testApp(env);
    const other = await makeList(t, 'other');
    await confirmed(t, 'cy@example.com');
    await confirmed(t, 'cy@example.com', { list: 'other' });
    const res = await api(t, 'POST', '/v1/events', ADMIN, { type: 'unsubscribe', email: 'cy@example.com' });
    expect((await res.json()) as any).toMatchObject({ status: 'applied', subscriptions: 2 });
    expect((await states(t, 'cy@example.com')).map((s) => s.state)).toEqual(['unsubscribed', 'unsubscribed']);
    expect((await feed(t, 1)).at(-1)).toEqual({ type: 'unsubscribed', email: 'cy@example.com' });
    expect((await feed(t, other.id)).at(-1)).toEqual({ type: 'unsubscribed', email: 'cy@example.com' });
    expect(await suppressionRows(t)).toEqual([]);
  });

  it('unsubscribes from the named list only', async () => {
    const t = await testApp(env);
    await makeList(t, 'other');
    await confirmed(t, 'dee@example.com');
    await confirmed(t, 'dee@example.com', { list: 'other' });
    await api(t, 'POST', '/v1/events', ADMIN, { type: 'unsubscribe', email: 'dee@example.com', list: 'other' });
    expect((await states(t, 'dee@example.com')).map((s) => s.state)).toEqual(['confirmed', 'unsubscribed']);
  });

  it('counts an event on the named list only, and on every list holding the address otherwise', async () => {
    const t = await testApp(env);
    const other = await makeList(t, 'other');
    await confirmed(t, 'eve@example.com');
    await confirmed(t, 'eve@example.com', { list: 'other' });
    await api(t, 'POST', '/v1/events', ADMIN, { type: 'bounce', bounce_type: 'transient', email: 'eve@example.com', list: 'other' });
    t.clock.advance(1000);
    await api(t, 'POST', '/v1/events', ADMIN, { type: 'bounce', bounce_type: 'transient', email: 'eve@example.com' });
    const rows = await t.deps.db.select({ listId: listDaily.listId, soft: listDaily.softBounces }).from(listDaily).all();
    expect(rows.sort((a, b) => a.listId - b.listId)).toEqual([{ listId: 1, soft: 1 }, { listId: other.id, soft: 2 }]);
  });

  it('answers 422 for bad input and 404 for an unknown list', async () => {
    const t = await testApp(env);
    for (const body of [{ type: 'bounce', email: 'a@example.com' }, { type: 'opened', email: 'a@example.com' }, { type: 'complaint', email: 'not an address' }, { type: 'complaint' }]) {
      const res = await api(t, 'POST', '/v1/events', ADMIN, body);
      expect(res.status).toBe(422);
      expect(((await res.json()) as any).errors.length).toBeGreaterThan(0);
    }
    expect((await api(t, 'POST', '/v1/events', ADMIN, { type: 'complaint', email: 'a@example.com', list: 'nope' })).status).toBe(404);
  });

  it('holds a list-limited key to its lists', async () => {
    const t = await testApp(env);
    await makeList(t, 'other');
    const key = await apiKey(t, ['events'], ['other']);
    expect((await api(t, 'POST', '/v1/events', key, { type: 'complaint', email: 'a@example.com', list: 'newsletter' })).status).toBe(403);
    expect((await api(t, 'POST', '/v1/events', key, { type: 'complaint', email: 'a@example.com' })).status).toBe(422);
    // An address not on its list is not its to report: 404, nothing changed.
    await confirmed(t, 'a@example.com');
    expect((await api(t, 'POST', '/v1/events', key, { type: 'complaint', email: 'a@example.com', list: 'other' })).status).toBe(404);
    expect(await suppressionRows(t)).toEqual([]);
    expect(await states(t, 'a@example.com')).toEqual([{ listId: 1, state: 'confirmed' }]);
    // On its list it may, and a complaint then suppresses the address everywhere.
    await confirmed(t, 'a@example.com', { list: 'other' });
    expect((await api(t, 'POST', '/v1/events', key, { type: 'complaint', email: 'A@Example.com', list: 'other' })).status).toBe(200);
    expect(await states(t, 'a@example.com')).toEqual([{ listId: 1, state: 'suppressed' }, { listId: 2, state: 'suppressed' }]);
  });
});

describe('soft-bounce limit (3 transient bounces within 30 days)', () => {
  const soft = (t: Awaited<ReturnType<typeof testApp>>, email: string) =>
    api(t, 'POST', '/v1/events', ADMIN, { type: 'bounce', bounce_type: 'transient', email });

  it('does not suppress after two, suppresses at the third', async () => {
    const t = await testApp(env);
    await confirmed(t, 'fay@example.com');
    await soft(t, 'fay@example.com');
    t.clock.advance(DAY);
    await soft(t, 'fay@example.com');
    expect(await states(t, 'fay@example.com')).toMatchObject([{ state: 'confirmed' }]);
    expect(await suppressionRows(t)).toEqual([]);
    t.clock.advance(DAY);
    await soft(t, 'fay@example.com');
    expect(await states(t, 'fay@example.com')).toMatchObject([{ state: 'suppressed' }]);
    expect(await suppressionRows(t)).toMatchObject([{ email: 'fay@example.com', reason: 'soft_bounce_limit' }]);
  });

  it('does not count bounces older than the window', async () => {
    const t = await testApp(env);
    await confirmed(t, 'gus@example.com');
    await soft(t, 'gus@example.com');
    t.clock.advance(29 * DAY);
    await soft(t, 'gus@example.com');
    t.clock.advance(1 * DAY + 1); // the first is now 30 days and 1 ms old
    await soft(t, 'gus@example.com');
    expect(await states(t, 'gus@example.com')).toMatchObject([{ state: 'confirmed' }]);
    t.clock.advance(DAY);
    await soft(t, 'gus@example.com');
    expect(await states(t, 'gus@example.com')).toMatchObject([{ state: 'suppressed' }]);
  });

  it('counts one bounce once, however many lists hold the address', async () => {
    const t = await testApp(env);
    await makeList(t, 'b');
    await makeList(t, 'c');
    for (const list of ['newsletter', 'b', 'c']) await confirmed(t, 'hal@example.com', { list });
    await soft(t, 'hal@example.com');
    t.clock.advance(1000);
    await soft(t, 'hal@example.com');
    expect(await t.deps.db.select().from(deliveryEvents).all()).toHaveLength(6);
    expect((await states(t, 'hal@example.com')).map((s) => s.state)).toEqual(['confirmed', 'confirmed', 'confirmed']);
  });

  it('follows SOFT_BOUNCE_LIMIT and SOFT_BOUNCE_WINDOW_DAYS', async () => {
    const t = await testApp({ ...env, SOFT_BOUNCE_LIMIT: '2', SOFT_BOUNCE_WINDOW_DAYS: '1' });
    await confirmed(t, 'ivy@example.com');
    await soft(t, 'ivy@example.com');
    t.clock.advance(DAY + 1);
    await soft(t, 'ivy@example.com');
    expect(await states(t, 'ivy@example.com')).toMatchObject([{ state: 'confirmed' }]);
    t.clock.advance(1000);
    await soft(t, 'ivy@example.com');
    expect(await states(t, 'ivy@example.com')).toMatchObject([{ state: 'suppressed' }]);
  });

  it('suppresses an address on no list once it reaches the limit, so a later signup is not mailed', async () => {
    const t = await testApp(env);
    for (let i = 0; i < 3; i++) {
      await soft(t, 'jo@example.com');
      t.clock.advance(1000);
    }
    expect(await suppressionRows(t)).toMatchObject([{ email: 'jo@example.com', reason: 'soft_bounce_limit' }]);
    expect((await signup(t, 'jo@example.com')).status).toBe(202);
    await t.deliver();
    expect(t.mailer.sent).toEqual([]);
  });
});
