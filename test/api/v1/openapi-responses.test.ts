import { describe, expect, it } from 'vitest';
import { testApp } from '../../support/app';
import { committed, responseChecker } from '../../support/openapi';
import { confirmed, pendingSignup } from '../../support/flow';
import { startReceiver } from '../../support/fakes/receiver';
import { ADMIN, adminEnv, api, makeKey, makeList } from '../../support/operator';
import { pusher } from '../../support/push';

/**
 * Real answers of every /v1 endpoint, successes and the main errors, checked against the response
 * schemas of the committed document (which another test keeps equal to the served one).
 */
const check = responseChecker(committed);

type Call = { key?: string | null; body?: unknown; raw?: { type: string; text: string }; query?: string };
type Operation = { tags: string[] };

/** A fresh app with two lists, confirmed and pending addresses, and a way to call it that checks every answer. */
async function fixture(env: Record<string, string> = {}) {
  const t = await testApp({ ...adminEnv, ...env });
  await makeList(t, 'weekly', { name: 'Weekly', allowedOrigins: ['https://www.example.org'] });
  await confirmed(t, 'ann@example.com', { name: 'Ann' });
  await confirmed(t, 'bob@example.com');
  await confirmed(t, 'cy@example.com', { list: 'weekly' });
  await pendingSignup(t, 'dee@example.com');
  const succeeded = new Set<string>();

  /** Calls `method` on the path template `path` with `params` filled in, checks the answer against the document, and answers it. */
  async function call(method: string, path: string, params: Record<string, string>, expected: number, opts: Call = {}) {
    const url = path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name])) + (opts.query ? `?${opts.query}` : '');
    const headers: Record<string, string> = {};
    const key = opts.key === undefined ? ADMIN : opts.key;
    if (key) headers.authorization = `Bearer ${key}`;
    let body: string | undefined;
    if (opts.body !== undefined) (headers['content-type'] = 'application/json'), (body = JSON.stringify(opts.body));
    if (opts.raw) (headers['content-type'] = opts.raw.type), (body = opts.raw.text);
    const res = await t.app.request(url, { method, headers, body });
    expect(res.status, `${method} ${url}: ${await res.clone().text()}`).toBe(expected);
    await check(method, path, res);
    if (res.ok) succeeded.add(`${method} ${path}`);
    return res;
  }

  /** The operations tagged `tag` in the document that have not answered a success yet. */
  const untried = (tag: string) =>
    Object.entries(committed.paths as Record<string, Record<string, Operation>>)
      .flatMap(([path, item]) => Object.entries(item).filter(([, op]) => op.tags.includes(tag)).map(([m]) => `${m.toUpperCase()} ${path}`))
      .filter((op) => !succeeded.has(op));

  return { t, call, untried, key: (scopes: string[], lists?: string[]) => makeKey(t, scopes, lists).then((k) => k.key) };
}

describe('answers of /v1 match the OpenAPI document', () => {
  it('answers of the Lists operations, successes and errors', async () => {
    const { call, untried, key } = await fixture();
    await call('GET', '/v1/lists', {}, 200);
    await call('GET', '/v1/lists', {}, 401, { key: null });
    await call('GET', '/v1/lists', {}, 401, { key: 'lg_unknownunknownunknownunknown12' });
    await call('GET', '/v1/lists/{list}', { list: 'weekly' }, 200);
    await call('GET', '/v1/lists/{list}', { list: 'nope' }, 404);
    await call('PUT', '/v1/lists/{list}', { list: 'fresh' }, 201, { body: { name: 'Fresh', from: 'Fresh <fresh@example.org>', redirect_pending: 'https://example.org/p' } });
    await call('PUT', '/v1/lists/{list}', { list: 'fresh' }, 200, { body: { name: 'Fresh again', language: 'ja', check_mx: true } });
    await call('PUT', '/v1/lists/{list}', { list: 'fresh' }, 422, { body: { name: 'x', colour: 'red' } });
    await call('PUT', '/v1/lists/{list}', { list: 'Bad_Slug' }, 422, { body: { name: 'x' } });
    await call('PUT', '/v1/lists/{list}', { list: 'fresh' }, 400, { raw: { type: 'application/json', text: '{"name":' } });
    await call('PUT', '/v1/lists/{list}', { list: 'fresh' }, 415, { raw: { type: 'text/plain', text: 'name=x' } });
    await call('PUT', '/v1/lists/{list}', { list: 'fresh' }, 403, { key: await key(['export']), body: { name: 'x' } });
    await call('GET', '/v1/lists/{list}/stats', { list: 'newsletter' }, 200);
    await call('GET', '/v1/lists/{list}/stats', { list: 'nope' }, 404);
    await call('GET', '/v1/lists/{list}/stats', { list: 'newsletter' }, 422, { query: 'days=401' });
    await call('GET', '/v1/lists/{list}/stats/daily', { list: 'newsletter' }, 200, { query: 'days=7' });
    await call('GET', '/v1/lists/{list}/stats/daily', { list: 'newsletter' }, 422, { query: 'days=0' });
    await call('POST', '/v1/lists/{list}/preview', { list: 'newsletter' }, 200, { body: { confirmation_mail: { subject: 'Welcome to {{list_name}}' } } });
    await call('POST', '/v1/lists/{list}/preview', { list: 'newsletter' }, 422, { body: { confirmation_mail: { subject: 'two\nlines' } } });
    await call('POST', '/v1/lists/{list}/test-mail', { list: 'newsletter' }, 202, { body: { to: 'operator@example.com' } });
    await call('POST', '/v1/lists/{list}/test-mail', { list: 'newsletter' }, 422, { body: { to: 'nope' } });
    await call('POST', '/v1/lists/{list}/test-mail', { list: 'newsletter' }, 403, { key: await key(['admin'], ['newsletter']), body: { to: 'operator@example.com' } });
    await call('DELETE', '/v1/lists/{list}', { list: 'fresh' }, 204);
    await call('DELETE', '/v1/lists/{list}', { list: 'fresh' }, 404);
    expect(untried('Lists')).toEqual([]);
  });

  it('answers of the Export operations (CSV, NDJSON, JSON pages, changes)', async () => {
    const { call, untried, key } = await fixture();
    const exporter = await key(['export'], ['newsletter']);
    await call('GET', '/v1/lists/{list}/subscribers', { list: 'newsletter' }, 200, { key: exporter });
    await call('GET', '/v1/lists/{list}/subscribers', { list: 'newsletter' }, 200, { key: exporter, query: 'format=ndjson' });
    const page = await call('GET', '/v1/lists/{list}/subscribers', { list: 'newsletter' }, 200, { key: exporter, query: 'format=json&limit=1' });
    const { next_cursor } = (await page.json()) as { next_cursor: string };
    const last = await call('GET', '/v1/lists/{list}/subscribers', { list: 'newsletter' }, 200, { key: exporter, query: `format=json&cursor=${next_cursor}` });
    expect(((await last.json()) as { data: unknown[] }).data).toHaveLength(1);
    await call('GET', '/v1/lists/{list}/subscribers', { list: 'newsletter' }, 422, { key: exporter, query: 'format=json&cursor=bogus!' });
    await call('GET', '/v1/lists/{list}/subscribers', { list: 'newsletter' }, 422, { key: exporter, query: 'format=xml' });
    await call('GET', '/v1/lists/{list}/subscribers', { list: 'weekly' }, 403, { key: exporter });
    await call('GET', '/v1/lists/{list}/subscribers', { list: 'nope' }, 404);
    await call('GET', '/v1/lists/{list}/changes', { list: 'newsletter' }, 200, { key: exporter });
    await call('GET', '/v1/lists/{list}/changes', { list: 'newsletter' }, 200, { key: exporter, query: 'after=1&limit=5' });
    await call('GET', '/v1/lists/{list}/changes', { list: 'newsletter' }, 422, { key: exporter, query: 'after=-1' });
    await call('GET', '/v1/lists/{list}/changes', { list: 'nope' }, 404);
    expect(untried('Export')).toEqual([]);
  });

  it('answers of the Subscribers operations', async () => {
    const { call, untried, key } = await fixture();
    await call('GET', '/v1/subscribers/{email}', { email: 'ann@example.com' }, 200);
    await call('GET', '/v1/subscribers/{email}', { email: 'dee@example.com' }, 200);
    await call('GET', '/v1/subscribers/{email}', { email: 'nobody@example.com' }, 404);
    await call('GET', '/v1/subscribers/{email}', { email: 'not an address' }, 422);
    await call('GET', '/v1/subscribers/{email}', { email: 'ann@example.com' }, 200, { key: await key(['admin'], ['newsletter']) });
    await call('DELETE', '/v1/subscribers/{email}', { email: 'ann@example.com' }, 403, { key: await key(['admin'], ['newsletter']) });
    await call('POST', '/v1/lists/{list}/subscribers/{email}/unsubscribe', { list: 'newsletter', email: 'bob@example.com' }, 200);
    await call('GET', '/v1/subscribers/{email}', { email: 'bob@example.com' }, 200);
    await call('POST', '/v1/lists/{list}/subscribers/{email}/unsubscribe', { list: 'weekly', email: 'nobody@example.com' }, 404);
    await call('POST', '/v1/lists/{list}/subscribers/{email}/unsubscribe', { list: 'weekly', email: '@@' }, 422);
    await call('POST', '/v1/suppressions', {}, 201, { body: { email: 'ann@example.com' } });
    await call('GET', '/v1/subscribers/{email}', { email: 'ann@example.com' }, 200); // with its suppression
    await call('DELETE', '/v1/subscribers/{email}', { email: 'cy@example.com' }, 200);
    await call('DELETE', '/v1/subscribers/{email}', { email: 'cy@example.com' }, 403, { key: await key(['admin'], ['weekly']) });
    await call('GET', '/v1/lists/{list}/changes', { list: 'weekly' }, 200); // the erased event carries no address
    expect(untried('Subscribers')).toEqual([]);
  });

  it('answers of the Suppressions operations', async () => {
    const { call, untried, key } = await fixture();
    await call('POST', '/v1/suppressions', {}, 201, { body: { email: 'sue@example.com' } });
    await call('POST', '/v1/suppressions', {}, 200, { body: { email: 'sue@example.com', reason: 'manual' } });
    await call('POST', '/v1/suppressions', {}, 422, { body: { email: 'sue@example.com', why: 'x' } });
    await call('POST', '/v1/suppressions', {}, 422, { body: { email: 'not an address' } });
    await call('POST', '/v1/suppressions', {}, 415, { raw: { type: 'application/x-www-form-urlencoded', text: 'email=sue%40example.com' } });
    await call('POST', '/v1/suppressions', {}, 201, { body: { email: 'tom@example.com' } });
    await call('POST', '/v1/events', {}, 200, { body: { type: 'complaint', email: 'val@example.com' } });
    const first = await call('GET', '/v1/suppressions', {}, 200, { query: 'limit=1' });
    const { next_cursor } = (await first.json()) as { next_cursor: string };
    await call('GET', '/v1/suppressions', {}, 200, { query: `cursor=${next_cursor}` });
    await call('GET', '/v1/suppressions', {}, 422, { query: 'cursor=nope' });
    await call('GET', '/v1/suppressions', {}, 422, { query: 'limit=0' });
    await call('DELETE', '/v1/suppressions/{email}', { email: 'val@example.com' }, 409);
    await call('DELETE', '/v1/suppressions/{email}', { email: 'val@example.com' }, 204, { query: 'force=true' });
    await call('DELETE', '/v1/suppressions/{email}', { email: 'sue@example.com' }, 204);
    await call('DELETE', '/v1/suppressions/{email}', { email: 'sue@example.com' }, 404);
    await call('DELETE', '/v1/suppressions/{email}', { email: 'sue' }, 422);
    expect(untried('Suppressions')).toEqual([]);
  });

  it('answers of the Keys operations', async () => {
    const { call, untried, key } = await fixture();
    const made = await call('POST', '/v1/keys', {}, 201, { body: { scopes: ['export', 'events'], lists: ['newsletter'], name: 'mailer' } });
    const { id } = (await made.json()) as { id: string };
    await call('POST', '/v1/keys', {}, 201, { body: { scopes: ['admin'] } });
    await call('POST', '/v1/keys', {}, 422, { body: { scopes: ['root'], extra: 1 } });
    await call('POST', '/v1/keys', {}, 422, { body: { scopes: ['export'], lists: ['missing'] } });
    await call('POST', '/v1/keys', {}, 422, { raw: { type: 'application/json', text: '["export"]' } });
    await call('POST', '/v1/keys', {}, 400, { raw: { type: 'application/json', text: 'scopes' } });
    await call('GET', '/v1/keys', {}, 200);
    await call('DELETE', '/v1/keys/{id}', { id }, 204);
    await call('GET', '/v1/keys', {}, 200); // with a revoked key
    await call('DELETE', '/v1/keys/{id}', { id: 'key_nope' }, 404);
    await call('GET', '/v1/keys', {}, 403, { key: await key(['events']) });
    expect(untried('Keys')).toEqual([]);
  });

  it('answers of POST /v1/events', async () => {
    const { call, untried, key } = await fixture();
    const events = await key(['events']);
    await call('POST', '/v1/events', {}, 200, { key: events, body: { type: 'bounce', bounce_type: 'transient', email: 'ann@example.com' } });
    await call('POST', '/v1/events', {}, 200, { key: events, body: { type: 'bounce', bounce_type: 'permanent', email: 'ann@example.com', list: 'newsletter' } });
    await call('POST', '/v1/events', {}, 200, { key: events, body: { type: 'unsubscribe', email: 'dee@example.com' } });
    await call('POST', '/v1/events', {}, 404, { key: events, body: { type: 'complaint', email: 'ann@example.com', list: 'nope' } });
    await call('POST', '/v1/events', {}, 422, { key: events, body: { type: 'bounce', email: 'ann@example.com' } });
    await call('POST', '/v1/events', {}, 422, { key: events, body: { type: 'delivered', email: 'ann@example.com' } });
    await call('POST', '/v1/events', {}, 422, { key: await key(['events'], ['newsletter']), body: { type: 'complaint', email: 'ann@example.com' } });
    await call('POST', '/v1/events', {}, 403, { key: await key(['export']), body: { type: 'complaint', email: 'ann@example.com' } });
    await call('POST', '/v1/events', {}, 401, { key: null, body: { type: 'complaint', email: 'ann@example.com' } });
    expect(untried('Events')).toEqual([]);
  });

  it('answers of the Webhooks operations, and the payloads delivered', async () => {
    const { t, call, untried, key } = await fixture();
    const rx = await startReceiver();
    try {
      const hook = (await (await call('POST', '/v1/webhooks', {}, 201, { body: { url: rx.url, events: ['subscriber.confirmed', 'subscriber.erased'] } })).json()) as { id: string };
      await call('POST', '/v1/webhooks', {}, 422, { body: { url: 'ftp://x', events: ['subscriber.confirmed'] } });
      await call('POST', '/v1/webhooks', {}, 403, { key: await key(['admin'], ['newsletter']), body: { url: rx.url, events: ['subscriber.confirmed'] } });
      await confirmed(t, 'eve@example.com', { name: 'Eve' });
      rx.answer({ status: 500, body: 'try later' });
      await pusher(t).run();
      await api(t, 'DELETE', '/v1/subscribers/eve@example.com');
      t.clock.advance(60_000);
      await pusher(t).run();
      expect(rx.received.map((r) => r.json.type)).toEqual(['subscriber.confirmed', 'subscriber.confirmed', 'subscriber.erased']);
      for (const r of rx.received) check.schema('WebhookPayload', r.json);
      await call('GET', '/v1/webhooks', {}, 200);
      await call('GET', '/v1/webhooks/{id}', { id: hook.id }, 200);
      await call('GET', '/v1/webhooks/{id}', { id: 'wh_nope' }, 404);
      await call('GET', '/v1/webhooks/{id}/deliveries', { id: hook.id }, 200, { query: 'limit=2' });
      await call('GET', '/v1/webhooks/{id}/deliveries', { id: hook.id }, 422, { query: 'limit=0' });
      await call('POST', '/v1/webhooks/{id}/replay', { id: hook.id }, 202, { body: { after: 0 } });
      await call('POST', '/v1/webhooks/{id}/replay', { id: hook.id }, 422, { body: { after: 'start' } });
      await call('POST', '/v1/webhooks/{id}/enable', { id: hook.id }, 200);
      await call('DELETE', '/v1/webhooks/{id}', { id: hook.id }, 204);
      await call('DELETE', '/v1/webhooks/{id}', { id: hook.id }, 404);
      expect(untried('Webhooks')).toEqual([]);
    } finally {
      await rx.close();
    }
  });

  it('answers of the Imports operations', async () => {
    const { call, untried, key } = await fixture();
    const csv = (text: string) => ({ raw: { type: 'text/csv', text } });
    const confirmed = 'mode=confirmed&consent_source=form';
    await call('POST', '/v1/lists/{list}/imports', { list: 'newsletter' }, 200, { query: confirmed, ...csv('email,name\nnew@example.com,New\nbad,Bad\nann@example.com,Ann\n') });
    await call('POST', '/v1/lists/{list}/imports', { list: 'newsletter' }, 200, { query: 'mode=reconfirm&dry_run=1', raw: { type: 'application/x-ndjson', text: '{"email":"nd@example.com"}\n' } });
    await call('POST', '/v1/lists/{list}/imports', { list: 'newsletter' }, 200, { query: 'mode=reconfirm', ...csv('email\ntypo@gmial.com\nfresh@example.com\n') });
    await call('POST', '/v1/lists/{list}/imports', { list: 'newsletter' }, 422, { query: 'mode=confirmed', ...csv('email\nx@example.com\n') });
    await call('POST', '/v1/lists/{list}/imports', { list: 'newsletter' }, 422, { query: confirmed, ...csv('name\nNobody\n') });
    await call('POST', '/v1/lists/{list}/imports', { list: 'newsletter' }, 415, { query: confirmed, raw: { type: 'application/json', text: '[]' } });
    await call('POST', '/v1/lists/{list}/imports', { list: 'nope' }, 404, { query: confirmed, ...csv('email\nx@example.com\n') });
    await call('POST', '/v1/lists/{list}/imports', { list: 'newsletter' }, 403, { query: 'mode=suppress', key: await key(['admin'], ['newsletter']), ...csv('email\nx@example.com\n') });
    await call('POST', '/v1/lists/{list}/imports', { list: 'newsletter' }, 401, { query: confirmed, key: null, ...csv('email\nx@example.com\n') });
    await call('GET', '/v1/lists/{list}/imports', { list: 'newsletter' }, 200);
    await call('GET', '/v1/lists/{list}/imports', { list: 'nope' }, 404);
    await call('GET', '/v1/lists/{list}/stats', { list: 'newsletter' }, 200);
    await call('GET', '/v1/subscribers/{email}', { email: 'new@example.com' }, 200);
    expect(untried('Imports')).toEqual([]);
  });

  it('answers of the Sync operations', async () => {
    const { call, untried, key } = await fixture({ RESEND_API_KEY: 're_test' });
    const to = { segment_id: 'seg_1', topic_id: 'top_1' };
    await call('GET', '/v1/lists/{list}/sync', { list: 'newsletter' }, 404);
    await call('PUT', '/v1/lists/{list}/sync', { list: 'newsletter' }, 201, { body: to });
    await call('PUT', '/v1/lists/{list}/sync', { list: 'newsletter' }, 200, { body: to });
    await call('PUT', '/v1/lists/{list}/sync', { list: 'newsletter' }, 422, { body: { segment_id: 'seg_1' } });
    await call('PUT', '/v1/lists/{list}/sync', { list: 'nope' }, 404, { body: to });
    await call('PUT', '/v1/lists/{list}/sync', { list: 'weekly' }, 403, { key: await key(['admin'], ['newsletter']), body: to });
    await call('GET', '/v1/lists/{list}/sync', { list: 'newsletter' }, 200);
    await call('DELETE', '/v1/lists/{list}/sync', { list: 'newsletter' }, 204);
    await call('DELETE', '/v1/lists/{list}/sync', { list: 'newsletter' }, 404);
    expect(untried('Sync')).toEqual([]);
    const without = await fixture();
    await without.call('PUT', '/v1/lists/{list}/sync', { list: 'newsletter' }, 503, { body: to });
  });

  it('refuses answers the document does not describe (so the checks above can fail)', async () => {
    const { call } = await fixture();
    const list = (await (await call('GET', '/v1/lists/{list}', { list: 'weekly' }, 200)).json()) as Record<string, unknown>;
    const { slug: _, ...withoutSlug } = list;
    await expect(check('GET', '/v1/lists/{list}', Response.json({ ...list, secret: 'x' }))).rejects.toThrow(/does not match/);
    await expect(check('GET', '/v1/lists/{list}', Response.json(withoutSlug))).rejects.toThrow(/does not match/);
    await expect(check('GET', '/v1/lists/{list}', Response.json({ ...list, created_at: 'yesterday' }))).rejects.toThrow(/does not match/);
    await expect(check('GET', '/v1/lists/{list}', Response.json(list, { status: 409 }))).rejects.toThrow(/status not in the document/);
    await expect(check('GET', '/v1/lists/{list}', new Response('<p>hi</p>', { headers: { 'content-type': 'text/html' } }))).rejects.toThrow(/content type/);
    const problem = { type: 'https://listgate.dev/problems/not-found', title: 'Not found', status: 404, detail: 'x' };
    const asProblem = (body: unknown, status: number) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/problem+json' } });
    await expect(check('GET', '/v1/lists/{list}', asProblem(problem, 404))).rejects.toThrow(/instance/);
    await expect(check('GET', '/v1/keys', Response.json({ ...problem, instance: 'r' }))).rejects.toThrow(/does not match/);
  });

  it('leaves no tag of the document untested', () => {
    const tags = new Set(Object.values(committed.paths as Record<string, Record<string, Operation>>).flatMap((item) => Object.values(item).flatMap((op) => op.tags)));
    expect([...tags].sort()).toEqual(['Events', 'Export', 'Imports', 'Keys', 'Lists', 'Subscribers', 'Suppressions', 'Sync', 'Webhooks']);
  });
});
