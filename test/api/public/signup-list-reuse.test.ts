import { describe, expect, it } from 'vitest';
import { LIST_REUSE_MS } from '../../../src/db/queries/lists';
import { signup, testApp } from '../../support/app';
import { ADMIN, adminEnv, api } from '../../support/operator';

// Signups reuse a list's row read for an earlier signup for up to LIST_REUSE_MS (src/db/queries/lists.ts).
// A write straight into the database stands for another process (the CLI): this one is not told of it.
const DISPOSABLE = 'someone@mailinator.com';
const codeOf = async (res: Response) => ((await res.json()) as { errors?: Array<{ code: string }> }).errors?.[0]?.code;

describe('a signup and the list settings it reads', () => {
  it('a change made through the API reaches the very next signup', async () => {
    const t = await testApp(adminEnv);
    expect((await signup(t, 'first@example.com')).status).toBe(202);
    expect((await api(t, 'PUT', '/v1/lists/newsletter', ADMIN, { name: 'Newsletter', block_disposable: true })).status).toBe(200);
    const res = await signup(t, DISPOSABLE);
    expect(res.status).toBe(422);
    expect(await codeOf(res)).toBe('disposable');
    expect((await api(t, 'PUT', '/v1/lists/newsletter', ADMIN, { name: 'Newsletter', redirect_pending: 'https://site.example/check' })).status).toBe(200);
    const form = await t.app.request('/lists/newsletter/subscribe', { method: 'POST', body: new URLSearchParams({ email: 'form@example.com' }) }, { clientIp: '203.0.113.9' });
    expect(form.status).toBe(303);
    expect(form.headers.get('location')).toBe('https://site.example/check');
  });

  it('a change written by another process reaches signups within LIST_REUSE_MS, and not before', async () => {
    const t = await testApp(adminEnv);
    expect((await signup(t, 'first@example.com')).status).toBe(202);
    t.sqlite.sqlite.prepare("UPDATE lists SET block_disposable = 1 WHERE slug = 'newsletter'").run();
    t.clock.advance(LIST_REUSE_MS - 1);
    expect((await signup(t, DISPOSABLE)).status).toBe(202);
    t.clock.advance(1);
    const res = await signup(t, 'other@mailinator.com');
    expect(res.status).toBe(422);
    expect(await codeOf(res)).toBe('disposable');
  });

  it('a deleted list answers 404 at once, and a list made by another process is found at once', async () => {
    const t = await testApp(adminEnv);
    expect((await api(t, 'PUT', '/v1/lists/weekly', ADMIN, { name: 'Weekly' })).status).toBe(201);
    expect((await signup(t, 'a@example.com', { list: 'weekly' })).status).toBe(202);
    expect((await api(t, 'DELETE', '/v1/lists/weekly', ADMIN)).status).toBe(204);
    expect((await signup(t, 'b@example.com', { list: 'weekly' })).status).toBe(404);
    // An unknown list is never remembered: made behind this process's back, it answers the next signup.
    t.sqlite.sqlite.prepare("INSERT INTO lists (slug, name, created_at, updated_at) VALUES ('weekly', 'Weekly', 0, 0)").run();
    expect((await signup(t, 'c@example.com', { list: 'weekly' })).status).toBe(202);
    expect(t.sqlite.sqlite.prepare("SELECT count(*) AS n FROM subscriptions s JOIN lists l ON l.id = s.list_id WHERE l.slug = 'weekly'").get()).toEqual({ n: 1 });
  });
});
