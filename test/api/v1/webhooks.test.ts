import { describe, expect, it } from 'vitest';
import { testApp } from '../../support/app';
import { adminEnv, api, makeKey, makeList, type Json } from '../../support/operator';
import { makeWebhook } from '../../support/push';

const URL_A = 'http://127.0.0.1:9/a';

async function fixture() {
  const t = await testApp(adminEnv);
  await makeList(t, 'weekly');
  await makeList(t, 'daily');
  return t;
}

describe('/v1/webhooks', () => {
  it('creates a webhook with its secret shown once, lists and shows it without the secret, and removes it', async () => {
    const t = await fixture();
    const res = await api(t, 'POST', '/v1/webhooks', undefined, { url: URL_A, events: ['subscriber.confirmed', 'subscriber.erased'], lists: ['weekly'] });
    expect(res.status).toBe(201);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const created: Json = await res.json();
    expect(created).toMatchObject({
      id: expect.stringMatching(/^wh_/),
      secret: expect.stringMatching(/^whsec_/),
      url: URL_A,
      events: ['subscriber.confirmed', 'subscriber.erased'],
      lists: ['weekly'],
      status: 'active',
      pending: 0,
      disabled_at: null,
    });
    const listed: Json = await (await api(t, 'GET', '/v1/webhooks')).json();
    expect(listed.data).toHaveLength(1);
    expect(listed.data[0]).not.toHaveProperty('secret');
    expect(JSON.stringify(listed)).not.toContain(created.secret);
    const shown: Json = await (await api(t, 'GET', `/v1/webhooks/${created.id}`)).json();
    expect(shown).toEqual(listed.data[0]);
    expect((await api(t, 'DELETE', `/v1/webhooks/${created.id}`)).status).toBe(204);
    expect((await api(t, 'GET', `/v1/webhooks/${created.id}`)).status).toBe(404);
    expect(((await (await api(t, 'GET', '/v1/webhooks')).json()) as Json).data).toEqual([]);
  });

  it('refuses bad input with the field named: unknown events, lists or fields, no events', async () => {
    const t = await fixture();
    const cases: Array<[unknown, string]> = [
      [{ url: URL_A, events: ['subscriber.created'] }, 'events.0'],
      [{ url: URL_A, events: [] }, 'events'],
      [{ url: URL_A }, 'events'],
      [{ events: ['subscriber.confirmed'] }, 'url'],
      [{ url: URL_A, events: ['subscriber.confirmed'], lists: ['nope'] }, 'lists'],
      [{ url: URL_A, events: ['subscriber.confirmed'], lists: ['Bad Slug'] }, 'lists.0'],
      [{ url: URL_A, events: ['subscriber.confirmed'], colour: 'red' }, 'colour'],
    ];
    for (const [body, field] of cases) {
      const res = await api(t, 'POST', '/v1/webhooks', undefined, body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(((await res.json()) as Json).errors.map((e: Json) => e.field)).toContain(field);
    }
  });

  it('lets a key limited to lists make and see only webhooks within its lists; webhooks without lists need an unlimited key', async () => {
    const t = await fixture();
    const limited = (await makeKey(t, ['admin'], ['weekly', 'daily'])).key;
    const everyList = await makeWebhook(t, { url: URL_A, events: ['subscriber.confirmed'] });
    const other = await makeWebhook(t, { url: URL_A, events: ['subscriber.confirmed'], lists: ['newsletter'] });

    expect((await api(t, 'POST', '/v1/webhooks', limited, { url: URL_A, events: ['subscriber.confirmed'] })).status).toBe(403);
    expect((await api(t, 'POST', '/v1/webhooks', limited, { url: URL_A, events: ['subscriber.confirmed'], lists: ['weekly', 'newsletter'] })).status).toBe(403);
    const own = await makeWebhook(t, { url: URL_A, events: ['subscriber.confirmed'], lists: ['weekly'] }, limited);

    const seen: Json = await (await api(t, 'GET', '/v1/webhooks', limited)).json();
    expect(seen.data.map((w: Json) => w.id)).toEqual([own.id]);
    for (const id of [everyList.id, other.id]) {
      expect((await api(t, 'GET', `/v1/webhooks/${id}`, limited)).status).toBe(403);
      expect((await api(t, 'DELETE', `/v1/webhooks/${id}`, limited)).status).toBe(403);
      expect((await api(t, 'GET', `/v1/webhooks/${id}/deliveries`, limited)).status).toBe(403);
      expect((await api(t, 'POST', `/v1/webhooks/${id}/replay`, limited, { after: 0 })).status).toBe(403);
    }
    expect((await api(t, 'GET', `/v1/webhooks/${own.id}/deliveries`, limited)).status).toBe(200);
    expect((await api(t, 'DELETE', `/v1/webhooks/${own.id}`, limited)).status).toBe(204);
  });

  it('needs the admin scope: 401 without a key, 403 with an export key', async () => {
    const t = await fixture();
    const exporter = (await makeKey(t, ['export'])).key;
    expect((await api(t, 'GET', '/v1/webhooks', null)).status).toBe(401);
    expect((await api(t, 'GET', '/v1/webhooks', exporter)).status).toBe(403);
    expect((await api(t, 'POST', '/v1/webhooks', exporter, { url: URL_A, events: ['subscriber.confirmed'] })).status).toBe(403);
  });

  it('pages the deliveries log and refuses a cursor it did not make', async () => {
    const t = await fixture();
    const hook = await makeWebhook(t, { url: URL_A, events: ['subscriber.confirmed'] });
    const page: Json = await (await api(t, 'GET', `/v1/webhooks/${hook.id}/deliveries?limit=1`)).json();
    expect(page).toEqual({ data: [], next_cursor: null });
    expect((await api(t, 'GET', `/v1/webhooks/${hook.id}/deliveries?cursor=abc`)).status).toBe(422);
    expect((await api(t, 'GET', '/v1/webhooks/wh_unknown/deliveries')).status).toBe(404);
  });
});
