import { eq } from 'drizzle-orm';
import { expect } from 'vitest';
import { subscriptions } from '../../../src/db/schema';
import { confirmTokenFor } from '../../support/mail';
import { type ContractCase, type Harness, signupJson, uniqueEmail, uniqueIp, unsubTokenFor } from '../harness';

const postConfirm = (h: Harness, token: string) =>
  h.request('/confirm', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }), ip: uniqueIp() });

const stateOf = async (h: Harness, email: string) =>
  (await h.db.select({ state: subscriptions.state }).from(subscriptions).where(eq(subscriptions.email, email)).get())?.state;

export const cases: ContractCase[] = [
  {
    name: 'confirm: GET /confirm shows a page with a button and changes nothing',
    async run(h) {
      const email = uniqueEmail('scan');
      await signupJson(h, email);
      const token = confirmTokenFor(await h.mails(), email);
      const page = await h.request(`/confirm?token=${token}`);
      expect(page.status).toBe(200);
      expect(await page.text()).toMatch(/<form[^>]+method="post"/i);
      expect(await stateOf(h, email)).toBe('pending');
    },
  },
  {
    name: 'confirm: POST confirms (200 {"status":"confirmed"}) and a second POST answers success again',
    async run(h) {
      const email = uniqueEmail('confirm');
      await signupJson(h, email);
      const token = confirmTokenFor(await h.mails(), email);
      const first = await postConfirm(h, token);
      expect(first.status).toBe(200);
      expect(await first.json()).toEqual({ status: 'confirmed' });
      expect(await stateOf(h, email)).toBe('confirmed');
      const again = await postConfirm(h, token);
      expect(again.status).toBe(200);
      expect(await again.json()).toEqual({ status: 'confirmed' });
    },
  },
  {
    name: 'confirm: a forged token answers 400, never a 500',
    async run(h) {
      const forged = 'eyJhbGciOiJIUzI1NiJ9.eyJzaWdudXAiOiJ4In0.c2lnbmF0dXJlLXRoYXQtZG9lcy1ub3QtbWF0Y2g';
      const res = await postConfirm(h, forged);
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect((await h.request('/confirm?token=garbage')).status).toBe(400);
    },
  },
  {
    name: 'confirm: after the subscription was unsubscribed the old token answers 410',
    async run(h) {
      const email = uniqueEmail('gone');
      await signupJson(h, email);
      const token = confirmTokenFor(await h.mails(), email);
      expect((await postConfirm(h, token)).status).toBe(200);
      const unsub = await unsubTokenFor(h, email);
      expect((await h.request(`/unsubscribe?token=${unsub}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' })).status).toBe(200);
      expect((await postConfirm(h, token)).status).toBe(410);
    },
  },
];
