import { eq } from 'drizzle-orm';
import { expect } from 'vitest';
import { changes, subscriptions } from '../../../src/db/schema';
import { type ContractCase, subscribeConfirmed, uniqueEmail, unsubTokenFor } from '../harness';

export const cases: ContractCase[] = [
  {
    name: 'unsubscribe: GET shows a page with a button and changes nothing',
    async run(h) {
      const email = uniqueEmail('look');
      await subscribeConfirmed(h, email);
      const token = await unsubTokenFor(h, email);
      const page = await h.request(`/unsubscribe?token=${token}`);
      expect(page.status).toBe(200);
      expect(await page.text()).toMatch(/<form[^>]+method="post"/i);
      const row = await h.db.select().from(subscriptions).where(eq(subscriptions.email, email)).get();
      expect(row?.state).toBe('confirmed');
    },
  },
  {
    name: 'unsubscribe: RFC 8058 one-click answers 200 and the address leaves the list at once',
    async run(h) {
      const email = uniqueEmail('leave');
      await subscribeConfirmed(h, email);
      const token = await unsubTokenFor(h, email);
      const res = await h.request(`/unsubscribe?token=${token}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'List-Unsubscribe=One-Click',
      });
      expect(res.status).toBe(200);
      const row = await h.db.select().from(subscriptions).where(eq(subscriptions.email, email)).get();
      expect(row?.state).toBe('unsubscribed');
      // The changes feed (kept by a trigger, on both drivers) tells mailers at once.
      const events = await h.db.select({ type: changes.type }).from(changes).where(eq(changes.email, email)).all();
      expect(events.map((e) => e.type)).toEqual(['confirmed', 'unsubscribed']);
    },
  },
  {
    name: 'unsubscribe: a malformed or unknown token answers 400',
    async run(h) {
      expect((await h.request('/unsubscribe?token=nope')).status).toBe(400);
      const unknown = await h.request(`/unsubscribe?token=u_${'A'.repeat(32)}`, { method: 'POST', headers: { accept: 'application/json' } });
      expect(unknown.status).toBe(400);
    },
  },
];
