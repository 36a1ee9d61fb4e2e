import { expect } from 'vitest';
import { type ContractCase, api, freshList, signupJson, subscribeConfirmed, uniqueEmail } from '../harness';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export const cases: ContractCase[] = [
  {
    name: 'export: CSV, NDJSON and JSON pages carry only confirmed addresses, in confirmation order',
    async run(h) {
      const list = await freshList(h);
      const [a, b] = [uniqueEmail('first'), uniqueEmail('second')];
      await subscribeConfirmed(h, a, list);
      await subscribeConfirmed(h, b, list);
      expect((await signupJson(h, uniqueEmail('pending'), { list })).status).toBe(202);

      const csv = await api(h, 'GET', `/v1/lists/${list}/subscribers`);
      expect(csv.status).toBe(200);
      const lines = (await csv.text()).split('\r\n');
      expect(lines[0]).toBe('email,name,confirmed_at,unsubscribe_url,id');
      expect(lines.slice(1, 3).map((l) => l.split(',')[0])).toEqual([a, b]);
      expect(lines[1]).toMatch(new RegExp(`,\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z,${h.publicUrl}/unsubscribe\\?token=[\\w-]+,[\\w-]+$`));
      expect(lines.slice(3)).toEqual(['']);

      const nd = await api(h, 'GET', `/v1/lists/${list}/subscribers?format=ndjson`);
      const rows = (await nd.text()).trim().split('\n').map((l) => JSON.parse(l) as Json);
      expect(rows.map((r) => r.email)).toEqual([a, b]);

      const page1 = (await (await api(h, 'GET', `/v1/lists/${list}/subscribers?format=json&limit=1`)).json()) as Json;
      expect(page1.data.map((r: Json) => r.email)).toEqual([a]);
      const page2 = (await (await api(h, 'GET', `/v1/lists/${list}/subscribers?format=json&limit=1&cursor=${page1.next_cursor}`)).json()) as Json;
      expect(page2.data.map((r: Json) => r.email)).toEqual([b]);
    },
  },
  {
    name: 'changes: events in order, next always the value to pass next, empty when caught up',
    async run(h) {
      const list = await freshList(h);
      const email = uniqueEmail('feed');
      await subscribeConfirmed(h, email, list);
      const first = (await (await api(h, 'GET', `/v1/lists/${list}/changes`)).json()) as Json;
      expect(first.data.map((e: Json) => [e.type, e.email])).toEqual([['confirmed', email]]);
      const caught = (await (await api(h, 'GET', `/v1/lists/${list}/changes?after=${first.next}`)).json()) as Json;
      expect(caught).toEqual({ data: [], next: first.next });
    },
  },
  {
    name: 'events: a permanent bounce suppresses the address, which leaves the export and shows in the feed',
    async run(h) {
      const list = await freshList(h);
      const email = uniqueEmail('bounce');
      await subscribeConfirmed(h, email, list);
      const res = await api(h, 'POST', '/v1/events', { type: 'bounce', email, bounce_type: 'permanent' });
      expect(res.status).toBe(200);
      const csv = await (await api(h, 'GET', `/v1/lists/${list}/subscribers`)).text();
      expect(csv).not.toContain(email);
      const feed = (await (await api(h, 'GET', `/v1/lists/${list}/changes`)).json()) as Json;
      expect(feed.data.map((e: Json) => e.type)).toEqual(['confirmed', 'suppressed']);
      // Its signups are still answered the same, and it gets no mail.
      const before = (await h.mails()).filter((m) => m.to === email).length;
      expect((await signupJson(h, email, { list })).status).toBe(202);
      expect((await h.mails()).filter((m) => m.to === email)).toHaveLength(before);
    },
  },
  {
    name: 'keys: a list-limited export key reads its list, is refused elsewhere (403) and cannot manage keys',
    async run(h) {
      const [mine, other] = [await freshList(h), await freshList(h)];
      const created = await api(h, 'POST', '/v1/keys', { scopes: ['export'], lists: [mine] });
      expect(created.status).toBe(201);
      const { key } = (await created.json()) as Json;
      expect((await api(h, 'GET', `/v1/lists/${mine}/subscribers`, undefined, key)).status).toBe(200);
      expect((await api(h, 'GET', `/v1/lists/${other}/subscribers`, undefined, key)).status).toBe(403);
      expect((await api(h, 'GET', '/v1/keys', undefined, key)).status).toBe(403);
      expect((await api(h, 'GET', `/v1/lists/${mine}/subscribers`, undefined, 'lg_unknown')).status).toBe(401);
    },
  },
];
