import { eq } from 'drizzle-orm';
import { expect } from 'vitest';
import { subscriptions } from '../../../src/db/schema';
import { type ContractCase, signupJson, subscribeConfirmed, uniqueEmail, uniqueIp } from '../harness';

export const cases: ContractCase[] = [
  {
    name: 'signup: JSON answers 202 {"status":"pending"} and mails a confirmation link under PUBLIC_URL',
    async run(h) {
      const email = uniqueEmail('ada');
      const res = await signupJson(h, email, { name: 'Ada' });
      expect(res.status).toBe(202);
      expect(await res.json()).toEqual({ status: 'pending' });
      const mails = (await h.mails()).filter((m) => m.to === email);
      expect(mails).toHaveLength(1);
      expect(mails[0].text).toContain(`${h.publicUrl}/confirm?token=`);
    },
  },
  {
    name: 'signup: a browser form post gets 303 to the hosted check-your-inbox page',
    async run(h) {
      const res = await h.request('/lists/newsletter/subscribe', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
        body: new URLSearchParams({ email: uniqueEmail('form') }).toString(),
        ip: uniqueIp(),
        redirect: 'manual',
      });
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe('/lists/newsletter/check-inbox');
    },
  },
  {
    name: 'signup: the answer is the same for a new, pending and confirmed address',
    async run(h) {
      const confirmed = uniqueEmail('known');
      await subscribeConfirmed(h, confirmed);
      const pending = uniqueEmail('pending');
      await signupJson(h, pending);
      const answers = await Promise.all(
        [uniqueEmail('new'), pending, confirmed].map(async (email) => {
          const res = await signupJson(h, email);
          return [res.status, await res.text()];
        }),
      );
      expect(answers[1]).toEqual(answers[0]);
      expect(answers[2]).toEqual(answers[0]);
    },
  },
  {
    name: 'signup: an invalid address answers 422 problem+json naming the field; a typo carries a suggestion',
    async run(h) {
      const bad = await signupJson(h, 'not an address');
      expect(bad.status).toBe(422);
      expect(bad.headers.get('content-type')).toContain('application/problem+json');
      const problem = (await bad.json()) as { errors: { field: string }[] };
      expect(problem.errors.map((e) => e.field)).toContain('email');
      const typo = await signupJson(h, 'someone@gmial.com');
      expect(typo.status).toBe(422);
      expect(((await typo.json()) as { suggestion?: string }).suggestion).toBe('someone@gmail.com');
    },
  },
  {
    name: 'signup: unknown list 404, unsupported content type 415',
    async run(h) {
      expect((await signupJson(h, uniqueEmail(), { list: 'no-such-list' })).status).toBe(404);
      const res = await h.request('/lists/newsletter/subscribe', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'email=x@example.com', ip: uniqueIp() });
      expect(res.status).toBe(415);
    },
  },
  {
    name: 'signup: the honeypot answers like a success and stores nothing',
    async run(h) {
      const email = uniqueEmail('bot');
      const res = await h.request('/lists/newsletter/subscribe', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, _gotcha: 'filled' }),
        ip: uniqueIp(),
      });
      expect(res.status).toBe(202);
      expect(await res.json()).toEqual({ status: 'pending' });
      expect((await h.mails()).some((m) => m.to === email)).toBe(false);
      expect(await h.db.select().from(subscriptions).where(eq(subscriptions.email, email)).get()).toBeUndefined();
    },
  },
  {
    name: 'signup: one client over its burst gets 429 with Retry-After; another client is unaffected',
    async run(h) {
      const ip = uniqueIp();
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await signupJson(h, uniqueEmail('burst'), { ip })).status);
      expect(statuses.slice(0, 5)).toEqual([202, 202, 202, 202, 202]);
      expect(statuses[5]).toBe(429);
      const limited = await signupJson(h, uniqueEmail('burst'), { ip });
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect((await signupJson(h, uniqueEmail('other'))).status).toBe(202);
    },
  },
];
