import { describe, expect, it } from 'vitest';
import { testApp } from '../../support/app';
import { confirmed } from '../../support/flow';
import { ADMIN, adminEnv, api, type Json, makeKey } from '../../support/operator';

const full = {
  name: 'Weekly',
  from: 'Weekly News <news@mail.example.com>',
  language: 'ja',
  redirect_pending: 'https://site.example/check',
  redirect_confirmed: 'https://site.example/welcome?x=1',
  allowed_origins: ['https://site.example', 'http://localhost:8080'],
  turnstile_site_key: '0x4AAAA-site',
  turnstile_secret: '0x4AAAA-secret-value',
  check_mx: true,
  block_disposable: true,
};

describe('PUT /v1/lists/{list}', () => {
  it('creates a list with 201 and answers it as JSON without the Turnstile secret', async () => {
    const t = await testApp(adminEnv);
    const res = await api(t, 'PUT', '/v1/lists/weekly', ADMIN, full);
    expect(res.status).toBe(201);
    const text = await res.text();
    expect(text).not.toContain('0x4AAAA-secret-value');
    const { turnstile_secret: _, ...shown } = full;
    expect(JSON.parse(text)).toMatchObject({ slug: 'weekly', ...shown, turnstile_secret_set: true, counts: { confirmed: 0 } });
    // The hosted signup page of the new list answers.
    expect((await t.app.request('/lists/weekly')).status).toBe(200);
    const got = await (await api(t, 'GET', '/v1/lists/weekly', ADMIN)).json<Json>();
    expect(got.from).toBe(full.from);
  });

  it('replaces a list with 200: fields left out go back to their defaults', async () => {
    const t = await testApp(adminEnv);
    await api(t, 'PUT', '/v1/lists/weekly', ADMIN, full);
    const res = await api(t, 'PUT', '/v1/lists/weekly', ADMIN, { name: 'Renamed' });
    expect(res.status).toBe(200);
    expect(await res.json<Json>()).toMatchObject({ name: 'Renamed', from: null, language: 'en', allowed_origins: [], turnstile_secret_set: false, check_mx: false });
    const all = await (await api(t, 'GET', '/v1/lists', ADMIN)).json<Json>();
    expect(all.data.map((l: { slug: string }) => l.slug)).toEqual(['newsletter', 'weekly']);
  });

  it.each([
    ['no name', { language: 'en' }, 'name'],
    ['a bad sender', { name: 'x', from: 'not an address' }, 'from'],
    ['a header-injecting sender', { name: 'x', from: 'A\r\nBcc: v@x.com <a@b.com>' }, 'from'],
    ['two senders', { name: 'x', from: 'a@evil.example, News <news@example.com>' }, 'from'],
    ['a group of senders', { name: 'x', from: 'News: spy@evil.example, <news@example.com>' }, 'from'],
    ['a group of senders (closed)', { name: 'x', from: 'News: spy@evil.example, <news@example.com>;' }, 'from'],
    ['a language other than en/ja', { name: 'x', language: 'de' }, 'language'],
    ['a relative redirect', { name: 'x', redirect_pending: '/thanks' }, 'redirect_pending'],
    ['a javascript: redirect', { name: 'x', redirect_confirmed: 'javascript:alert(1)' }, 'redirect_confirmed'],
    ['an origin with a path', { name: 'x', allowed_origins: ['https://site.example/path'] }, 'allowed_origins.0'],
    ['an origin without a scheme', { name: 'x', allowed_origins: ['site.example'] }, 'allowed_origins.0'],
    ['a non-boolean flag', { name: 'x', check_mx: 'yes' }, 'check_mx'],
  ])('answers 422 naming the field for %s', async (_, body, field) => {
    const t = await testApp(adminEnv);
    const res = await api(t, 'PUT', '/v1/lists/bad', ADMIN, body);
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect((await res.json<Json>()).errors.map((e: { field: string }) => e.field)).toContain(field);
    expect((await api(t, 'GET', '/v1/lists/bad', ADMIN)).status).toBe(404);
  });

  it('takes one sender, bare or with a display name that may hold a quoted comma', async () => {
    const t = await testApp(adminEnv);
    for (const from of ['news@example.com', 'Weekly News <news@example.com>', '"Doe, Jane" <jane@example.com>', '山田 <yamada@example.jp>']) {
      const res = await api(t, 'PUT', '/v1/lists/senders', ADMIN, { name: 'S', from });
      expect(res.status, from).toBeLessThan(300);
      expect((await res.json<Json>()).from).toBe(from);
    }
  });

  it('answers 422 for an unknown field, naming it', async () => {
    const t = await testApp(adminEnv);
    const res = await api(t, 'PUT', '/v1/lists/bad', ADMIN, { name: 'x', colour: 'red' });
    expect(res.status).toBe(422);
    expect((await res.json<Json>()).errors).toEqual([{ field: 'colour', code: 'unknown_field', message: 'unknown field' }]);
  });

  it('answers 422 for a slug outside [a-z0-9][a-z0-9-]{0,62}', async () => {
    const t = await testApp(adminEnv);
    for (const slug of ['Caps', '-lead', 'a'.repeat(64), 'under_score']) {
      expect((await api(t, 'PUT', `/v1/lists/${slug}`, ADMIN, { name: 'x' })).status, slug).toBe(422);
    }
    expect((await api(t, 'PUT', `/v1/lists/${'a'.repeat(63)}`, ADMIN, { name: 'x' })).status).toBe(201);
  });

  it('shows a list-limited admin key only its own lists', async () => {
    const t = await testApp(adminEnv);
    await api(t, 'PUT', '/v1/lists/weekly', ADMIN, { name: 'W' });
    const k = await makeKey(t, ['admin'], ['weekly']);
    const res = await api(t, 'GET', '/v1/lists', k.key);
    expect((await res.json<Json>()).data.map((l: { slug: string }) => l.slug)).toEqual(['weekly']);
    expect((await api(t, 'GET', '/v1/lists/newsletter', k.key)).status).toBe(403);
  });
});

describe('DELETE /v1/lists/{list}', () => {
  it('removes the list and its subscriptions with 204; suppressions stay, the other lists are untouched', async () => {
    const t = await testApp(adminEnv);
    await api(t, 'PUT', '/v1/lists/weekly', ADMIN, { name: 'W' });
    await confirmed(t, 'keep@example.com');
    await confirmed(t, 'gone@example.com', { list: 'weekly' });
    await api(t, 'POST', '/v1/suppressions', ADMIN, { email: 'blocked@example.com' });
    const res = await api(t, 'DELETE', '/v1/lists/weekly', ADMIN);
    expect(res.status).toBe(204);
    expect((await api(t, 'GET', '/v1/lists/weekly', ADMIN)).status).toBe(404);
    expect((await api(t, 'GET', '/v1/lists/weekly/subscribers', ADMIN)).status).toBe(404);
    const rows = t.sqlite.sqlite.prepare('SELECT email FROM subscriptions').all();
    expect(rows).toEqual([{ email: 'keep@example.com' }]);
    expect(t.sqlite.sqlite.prepare("SELECT count(*) n FROM outbox WHERE to_addr = 'gone@example.com'").get()).toEqual({ n: 0 });
    expect((await (await api(t, 'GET', '/v1/suppressions', ADMIN)).json<Json>()).data).toHaveLength(1);
    // A list made again under the same name starts empty.
    expect((await api(t, 'PUT', '/v1/lists/weekly', ADMIN, { name: 'W2' })).status).toBe(201);
    expect((await (await api(t, 'GET', '/v1/lists/weekly/changes', ADMIN)).json<Json>()).data).toEqual([]);
  });

  it('answers 404 for an unknown list and 403 for a key limited to another list', async () => {
    const t = await testApp(adminEnv);
    expect((await api(t, 'DELETE', '/v1/lists/nosuch', ADMIN)).status).toBe(404);
    await api(t, 'PUT', '/v1/lists/weekly', ADMIN, { name: 'W' });
    const k = await makeKey(t, ['admin'], ['weekly']);
    expect((await api(t, 'DELETE', '/v1/lists/newsletter', k.key)).status).toBe(403);
    expect((await api(t, 'GET', '/v1/lists/newsletter', ADMIN)).status).toBe(200);
  });
});
