import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { addresses, auditLog, changes, lists, outbox, subscriptions } from '../../../src/db/schema';
import { signup, testApp } from '../../support/app';
import { confirmed } from '../../support/flow';
import { ADMIN, api, apiKey, feed, makeList, states, suppressionRows } from '../../support/operator';

const env = { ADMIN_TOKEN: ADMIN };

describe('suppression admin', () => {
  it('needs an admin key not limited to lists', async () => {
    const t = await testApp(env);
    expect((await api(t, 'GET', '/v1/suppressions', await apiKey(t, ['export', 'events']))).status).toBe(403);
    expect((await api(t, 'GET', '/v1/suppressions', await apiKey(t, ['admin'], ['newsletter']))).status).toBe(403);
    expect((await api(t, 'DELETE', '/v1/subscribers/a@example.com', await apiKey(t, ['admin'], ['newsletter']))).status).toBe(403);
    expect((await api(t, 'GET', '/v1/suppressions', await apiKey(t, ['admin']))).status).toBe(200);
    expect((await t.app.request('/v1/suppressions')).status).toBe(401);
  });

  it('adds a manual suppression that takes the address off every list and out of queued mail', async () => {
    const t = await testApp(env);
    await makeList(t, 'other');
    await confirmed(t, 'ann@example.com');
    t.clock.advance(16 * 60_000);
    await signup(t, 'ann@example.com', { list: 'other' }); // pending, its mail still queued
    const res = await api(t, 'POST', '/v1/suppressions', ADMIN, { email: 'ann@example.com' });
    expect(res.status).toBe(201);
    expect((await res.json()) as any).toMatchObject({ email: 'ann@example.com', reason: 'manual', source: 'admin:ADMIN_TOKEN' });
    expect((await states(t, 'ann@example.com')).map((s) => s.state)).toEqual(['suppressed', 'suppressed']);
    const sent = t.mailer.sent.length;
    await t.deliver();
    expect(t.mailer.sent.length).toBe(sent);
    expect((await t.deps.db.select({ state: outbox.state }).from(outbox).all()).map((o) => o.state).sort()).toEqual(['failed', 'sent']);
    // Adding again keeps the first row and answers 200.
    expect((await api(t, 'POST', '/v1/suppressions', ADMIN, { email: 'ann@example.com' })).status).toBe(200);
    expect((await api(t, 'POST', '/v1/suppressions', ADMIN, { email: 'ann@example.com', reason: 'complaint' })).status).toBe(422);
  });

  it('lists suppressions newest first, page by page', async () => {
    const t = await testApp(env);
    for (const name of ['a', 'b', 'c']) {
      await api(t, 'POST', '/v1/suppressions', ADMIN, { email: `${name}@example.com` });
      t.clock.advance(1000);
    }
    const first = (await (await api(t, 'GET', '/v1/suppressions?limit=2')).json()) as any;
    expect(first.data.map((s: { email: string }) => s.email)).toEqual(['c@example.com', 'b@example.com']);
    const second = await (await api(t, 'GET', `/v1/suppressions?limit=2&cursor=${first.next_cursor}`)).json();
    expect(second).toMatchObject({ data: [{ email: 'a@example.com', reason: 'manual' }], next_cursor: null });
    expect((await api(t, 'GET', '/v1/suppressions?cursor=nonsense')).status).toBe(422);
  });

  it('removes a suppression; a complaint only with force=true', async () => {
    const t = await testApp(env);
    await api(t, 'POST', '/v1/suppressions', ADMIN, { email: 'bob@example.com' });
    await api(t, 'POST', '/v1/events', ADMIN, { type: 'complaint', email: 'cy@example.com' });
    expect((await api(t, 'DELETE', '/v1/suppressions/bob%40example.com')).status).toBe(204);
    const refused = await api(t, 'DELETE', '/v1/suppressions/cy@example.com');
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as any).detail).toMatch(/force=true/);
    expect((await api(t, 'DELETE', '/v1/suppressions/cy@example.com?force=true')).status).toBe(204);
    expect(await suppressionRows(t)).toEqual([]);
    expect((await api(t, 'DELETE', '/v1/suppressions/cy@example.com')).status).toBe(404);
    // Once lifted, a new signup is mailed again.
    expect((await signup(t, 'bob@example.com')).status).toBe(202);
    await t.deliver();
    expect(t.mailer.sent.map((m) => m.to)).toEqual(['bob@example.com']);
  });

  it('audits each change by hash, never by address', async () => {
    const t = await testApp(env);
    await api(t, 'POST', '/v1/suppressions', ADMIN, { email: 'dee@example.com' });
    await api(t, 'DELETE', '/v1/suppressions/dee@example.com');
    await api(t, 'DELETE', '/v1/subscribers/dee@example.com');
    const log = await t.deps.db.select().from(auditLog).all();
    expect(log.map((l) => [l.actor, l.action])).toEqual([['ADMIN_TOKEN', 'suppression.add'], ['ADMIN_TOKEN', 'suppression.remove'], ['ADMIN_TOKEN', 'subscriber.erase']]);
    expect(JSON.stringify(log)).not.toContain('dee@');
  });
});

describe('DELETE /v1/subscribers/{email} (erasure)', () => {
  it('removes the address everywhere, scrubs earlier feed events and keeps only a hash', async () => {
    const t = await testApp(env);
    const other = await makeList(t, 'other');
    await confirmed(t, 'Eve@example.com');
    await confirmed(t, 'eve@example.com', { list: 'other' });
    await confirmed(t, 'stay@example.com');
    const res = await api(t, 'DELETE', '/v1/subscribers/EVE@example.com');
    expect(res.status).toBe(200);
    expect((await res.json()) as any).toEqual({ status: 'erased', lists: 2 });

    const everything = JSON.stringify([
      await t.deps.db.select().from(subscriptions).all(),
      await t.deps.db.select().from(changes).all(),
      await t.deps.db.select().from(outbox).all(),
      await t.deps.db.select().from(addresses).all(),
      await suppressionRows(t),
    ]).toLowerCase();
    expect(everything).not.toContain('eve@');
    expect(everything).toContain('stay@example.com');
    expect(await feed(t, other.id)).toEqual([{ type: 'confirmed', email: null }, { type: 'erased', email: null }]);
    expect((await feed(t, 1)).map((e) => e.type)).toEqual(['confirmed', 'confirmed', 'erased']);
    expect(await suppressionRows(t)).toMatchObject([{ email: null, reason: 'erased', hash: expect.stringMatching(/^[0-9a-f]{64}$/) }]);
    const [counts] = await t.deps.db.select({ confirmed: lists.countConfirmed }).from(lists).where(eq(lists.id, other.id)).all();
    expect(counts.confirmed).toBe(0);
  });

  it('answers a later signup the same and sends it no mail', async () => {
    const t = await testApp(env);
    await confirmed(t, 'fay@example.com');
    await api(t, 'DELETE', '/v1/subscribers/fay@example.com');
    t.clock.advance(86_400_000);
    const sent = t.mailer.sent.length;
    const res = await signup(t, 'fay@example.com');
    expect(res.status).toBe(202);
    expect((await res.json()) as any).toEqual({ status: 'pending' });
    await t.deliver();
    expect(t.mailer.sent.length).toBe(sent);
    expect(await states(t, 'fay@example.com')).toEqual([]);
  });

  it('keeps an earlier suppression reason but drops its address', async () => {
    const t = await testApp(env);
    await confirmed(t, 'gus@example.com');
    await api(t, 'POST', '/v1/events', ADMIN, { type: 'complaint', email: 'gus@example.com' });
    expect((await feed(t, 1)).map((e) => e.type)).toEqual(['confirmed', 'suppressed']);
    await api(t, 'DELETE', '/v1/subscribers/gus@example.com');
    expect(await suppressionRows(t)).toMatchObject([{ email: null, reason: 'complaint' }]);
    expect(await feed(t, 1)).toEqual([{ type: 'confirmed', email: null }, { type: 'suppressed', email: null }, { type: 'erased', email: null }]);
  });

  it('suppresses an address that is on no list, and rejects what is not an address', async () => {
    const t = await testApp(env);
    expect((await (await api(t, 'DELETE', '/v1/subscribers/nobody@example.com')).json()) as any).toEqual({ status: 'erased', lists: 0 });
    expect(await suppressionRows(t)).toHaveLength(1);
    expect((await api(t, 'DELETE', '/v1/subscribers/not-an-address')).status).toBe(422);
  });
});
