import { describe, expect, it } from 'vitest';
import { testApp } from '../../support/app';
import { ADMIN, adminEnv, api, type Json, makeKey, makeList } from '../../support/operator';

const exportPath = '/v1/lists/newsletter/subscribers';

describe('bearer keys: 401, then 403, then 404', () => {
  it('answers 401 problem+json with no key, a malformed header, or an unknown key', async () => {
    const t = await testApp(adminEnv);
    for (const headers of [{} as Record<string, string>, { authorization: 'Basic abc' }, { authorization: 'Bearer lg_unknownunknownunknownunknown12' }]) {
      const res = await t.app.request(exportPath, { headers });
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
    }
  });

  it('answers 401 once a key is revoked, and the key worked before', async () => {
    const t = await testApp(adminEnv);
    const k = await makeKey(t, ['export']);
    expect((await api(t, 'GET', exportPath, k.key)).status).toBe(200);
    expect((await api(t, 'DELETE', `/v1/keys/${k.id}`, ADMIN)).status).toBe(204);
    expect((await api(t, 'GET', exportPath, k.key)).status).toBe(401);
  });

  it('answers 403 for the wrong scope, before telling whether the list exists', async () => {
    const t = await testApp(adminEnv);
    const events = await makeKey(t, ['events']);
    expect((await api(t, 'GET', exportPath, events.key)).status).toBe(403);
    expect((await api(t, 'GET', '/v1/lists/nope/subscribers', events.key)).status).toBe(403);
    const exporter = await makeKey(t, ['export']);
    expect((await api(t, 'PUT', '/v1/lists/x', exporter.key, { name: 'X' })).status).toBe(403);
    expect((await api(t, 'GET', '/v1/keys', exporter.key)).status).toBe(403);
  });

  it('answers 403 for a list the key is not limited to, 404 for an unknown list the key may touch', async () => {
    const t = await testApp(adminEnv);
    await makeList(t, 'other');
    const k = await makeKey(t, ['export'], ['newsletter']);
    expect((await api(t, 'GET', exportPath, k.key)).status).toBe(200);
    expect((await api(t, 'GET', '/v1/lists/newsletter/changes', k.key)).status).toBe(200);
    expect((await api(t, 'GET', '/v1/lists/other/subscribers', k.key)).status).toBe(403);
    expect((await api(t, 'GET', '/v1/lists/other/changes', k.key)).status).toBe(403);
    const any = await makeKey(t, ['export']);
    expect((await api(t, 'GET', '/v1/lists/nope/subscribers', any.key)).status).toBe(404);
  });

  it('refuses a list-limited admin key on endpoints that span lists', async () => {
    const t = await testApp(adminEnv);
    const k = await makeKey(t, ['admin'], ['newsletter']);
    expect((await api(t, 'GET', '/v1/keys', k.key)).status).toBe(403);
    expect((await api(t, 'POST', '/v1/keys', k.key, { scopes: ['export'] })).status).toBe(403);
    expect((await api(t, 'DELETE', '/v1/subscribers/a@example.com', k.key)).status).toBe(403);
    expect((await api(t, 'GET', '/v1/suppressions', k.key)).status).toBe(403);
    // ...but it may work on its own list, with every scope admin includes.
    expect((await api(t, 'GET', exportPath, k.key)).status).toBe(200);
    expect((await api(t, 'PUT', '/v1/lists/newsletter', k.key, { name: 'N' })).status).toBe(200);
    expect((await api(t, 'PUT', '/v1/lists/elsewhere', k.key, { name: 'E' })).status).toBe(403);
  });

  it('lets ADMIN_TOKEN do everything, and an admin key include the export scope', async () => {
    const t = await testApp(adminEnv);
    expect((await api(t, 'GET', exportPath, ADMIN)).status).toBe(200);
    expect((await api(t, 'GET', '/v1/keys', ADMIN)).status).toBe(200);
    const admin = await makeKey(t, ['admin']);
    expect((await api(t, 'GET', exportPath, admin.key)).status).toBe(200);
    expect((await api(t, 'GET', '/v1/keys', admin.key)).status).toBe(200);
  });

  it('answers 401 to everything when ADMIN_TOKEN is unset and no key exists', async () => {
    const t = await testApp();
    expect((await api(t, 'GET', '/v1/keys', 'undefined')).status).toBe(401);
    expect((await api(t, 'GET', '/v1/keys', '')).status).toBe(401);
  });
});

describe('POST/GET/DELETE /v1/keys', () => {
  it('shows a key once, stores only its hash, and lists keys without secrets', async () => {
    const t = await testApp(adminEnv);
    const res = await api(t, 'POST', '/v1/keys', ADMIN, { scopes: ['export'], lists: ['newsletter'], name: 'mailer' });
    expect(res.status).toBe(201);
    const body = await res.json<Json>();
    expect(body).toMatchObject({ id: expect.stringMatching(/^key_/), scopes: ['export'], lists: ['newsletter'], name: 'mailer' });
    expect(body.key).toMatch(/^lg_[A-Za-z0-9_-]{32}$/);
    expect(body.key.startsWith(body.prefix)).toBe(true);
    const stored = t.sqlite.sqlite.prepare('SELECT * FROM api_keys').all();
    expect(JSON.stringify(stored)).not.toContain(body.key);
    const list = await (await api(t, 'GET', '/v1/keys', ADMIN)).json<Json>();
    expect(list.data).toEqual([expect.objectContaining({ id: body.id, prefix: body.prefix, revoked_at: null })]);
    expect(JSON.stringify(list)).not.toContain(body.key);
    expect(t.sqlite.sqlite.prepare("SELECT actor, action FROM audit_log WHERE action = 'key.create'").all()).toEqual([
      { actor: 'ADMIN_TOKEN', action: 'key.create' },
    ]);
  });

  it('shows when a key was last used, updated at most once a minute', async () => {
    const t = await testApp(adminEnv);
    const k = await makeKey(t, ['export']);
    const lastUsed = async () => ((await (await api(t, 'GET', '/v1/keys', ADMIN)).json<Json>()).data as Json[]).find((r) => r.id === k.id)!.last_used_at;
    expect(await lastUsed()).toBeNull();
    await api(t, 'GET', exportPath, k.key);
    const first = await lastUsed();
    expect(first).toBe(new Date(t.clock.now()).toISOString());
    t.clock.advance(30_000);
    await api(t, 'GET', exportPath, k.key);
    expect(await lastUsed()).toBe(first);
    t.clock.advance(31_000);
    await api(t, 'GET', exportPath, k.key);
    expect(await lastUsed()).toBe(new Date(t.clock.now()).toISOString());
  });

  it('refuses unknown scopes, unknown fields and unknown lists with 422', async () => {
    const t = await testApp(adminEnv);
    for (const body of [{ scopes: ['root'] }, { scopes: [] }, { scopes: ['export'], extra: 1 }, { scopes: ['export'], lists: ['missing'] }]) {
      const res = await api(t, 'POST', '/v1/keys', ADMIN, body);
      expect(res.status).toBe(422);
      expect((await res.json<Json>()).errors.length).toBeGreaterThan(0);
    }
  });

  it('answers 404 when revoking an unknown key, and marks a revoked key in the listing', async () => {
    const t = await testApp(adminEnv);
    expect((await api(t, 'DELETE', '/v1/keys/key_nope', ADMIN)).status).toBe(404);
    const k = await makeKey(t, ['events']);
    await api(t, 'DELETE', `/v1/keys/${k.id}`, ADMIN);
    const list = await (await api(t, 'GET', '/v1/keys', ADMIN)).json<Json>();
    expect(list.data[0].revoked_at).toBe(new Date(t.clock.now()).toISOString());
  });
});
