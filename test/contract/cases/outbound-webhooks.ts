import { expect } from 'vitest';
import { type ContractCase, api, freshList } from '../harness';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Not routable anywhere: these cases never deliver (delivery has its own tests per runtime). */
const TARGET = 'http://127.0.0.1:9/listgate';

export const cases: ContractCase[] = [
  {
    name: 'outbound webhooks: POST answers 201 with the whsec_ secret once; GET lists them without it; DELETE removes',
    async run(h) {
      const list = await freshList(h);
      const made = await api(h, 'POST', '/v1/webhooks', { url: TARGET, events: ['subscriber.confirmed', 'subscriber.erased'], lists: [list] });
      expect(made.status).toBe(201);
      const hook = (await made.json()) as Json;
      expect(hook).toMatchObject({ id: expect.any(String), secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/=]+$/), url: TARGET, lists: [list], status: 'active' });
      const listed = (await (await api(h, 'GET', '/v1/webhooks')).json()) as Json;
      const mine = listed.data.find((w: Json) => w.id === hook.id);
      expect(mine).toMatchObject({ url: TARGET, events: ['subscriber.confirmed', 'subscriber.erased'] });
      expect(mine).not.toHaveProperty('secret');
      expect((await api(h, 'GET', `/v1/webhooks/${hook.id}/deliveries`)).status).toBe(200);
      expect((await api(h, 'DELETE', `/v1/webhooks/${hook.id}`)).status).toBe(204);
      expect((await api(h, 'DELETE', `/v1/webhooks/${hook.id}`)).status).toBe(404);
    },
  },
  {
    name: 'outbound webhooks: unknown events are 422; a key limited to lists may not make one without lists (403)',
    async run(h) {
      const list = await freshList(h);
      expect((await api(h, 'POST', '/v1/webhooks', { url: TARGET, events: ['subscriber.opened'] })).status).toBe(422);
      const key = ((await (await api(h, 'POST', '/v1/keys', { scopes: ['admin'], lists: [list] })).json()) as Json).key as string;
      expect((await api(h, 'POST', '/v1/webhooks', { url: TARGET, events: ['subscriber.confirmed'] }, key)).status).toBe(403);
      const own = await api(h, 'POST', '/v1/webhooks', { url: TARGET, events: ['subscriber.confirmed'], lists: [list] }, key);
      expect(own.status).toBe(201);
      expect((await api(h, 'DELETE', `/v1/webhooks/${((await own.json()) as Json).id}`, undefined, key)).status).toBe(204);
    },
  },
];
