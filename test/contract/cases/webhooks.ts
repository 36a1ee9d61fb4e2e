import { Webhook } from 'svix';
import { expect } from 'vitest';
import { type ContractCase, type Harness, api, freshList, signupJson, subscribeConfirmed, uniqueEmail } from '../harness';

/** Posts a Resend event signed the Svix way with the service's secret, at the service's time. */
async function postResend(h: Harness, id: string, event: unknown, secret = h.resendWebhookSecret) {
  const body = JSON.stringify(event);
  const at = new Date(h.now());
  return h.request('/webhooks/resend', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'svix-id': id,
      'svix-timestamp': String(Math.floor(at.getTime() / 1000)),
      'svix-signature': new Webhook(secret).sign(id, at, body),
    },
    body,
  });
}

const bounced = (email: string, type: 'Permanent' | 'Transient') => ({
  type: 'email.bounced',
  created_at: new Date().toISOString(),
  data: { email_id: crypto.randomUUID(), to: [email], bounce: { type, subType: 'General', message: 'mailbox unavailable' } },
});

/** Hard bounces the list has counted in its stats window. */
async function hardBounces(h: Harness, list: string): Promise<number> {
  const res = await api(h, 'GET', `/v1/lists/${list}/stats`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { hard_bounces: number }).hard_bounces;
}

export const cases: ContractCase[] = [
  {
    name: 'webhooks: a signed Resend permanent bounce suppresses the address; a replayed svix-id is accepted once',
    async run(h) {
      const list = await freshList(h);
      const email = uniqueEmail('resend-bounce');
      await subscribeConfirmed(h, email, list);
      const id = `msg_${crypto.randomUUID()}`;
      expect((await postResend(h, id, bounced(email, 'Permanent'))).status).toBe(200);
      expect((await postResend(h, id, bounced(email, 'Permanent'))).status).toBe(200);
      // Suppressing twice would look like suppressing once; the list's bounce count tells them apart.
      expect(await hardBounces(h, list)).toBe(1);
      const feed = (await (await api(h, 'GET', `/v1/lists/${list}/changes`)).json()) as { data: Array<{ type: string }> };
      expect(feed.data.map((e) => e.type)).toEqual(['confirmed', 'suppressed']);
      expect(await (await api(h, 'GET', `/v1/lists/${list}/subscribers`)).text()).not.toContain(email);
      expect((await signupJson(h, email, { list })).status).toBe(202);
      // The same bounce under a new svix-id is a new event, and counted: the count above could have shown a replay.
      expect((await postResend(h, `msg_${crypto.randomUUID()}`, bounced(email, 'Permanent'))).status).toBe(200);
      expect(await hardBounces(h, list)).toBe(2);
    },
  },
  {
    name: 'webhooks: a bad signature answers 401 and changes nothing',
    async run(h) {
      const list = await freshList(h);
      const email = uniqueEmail('forged');
      await subscribeConfirmed(h, email, list);
      const forged = await postResend(h, `msg_${crypto.randomUUID()}`, bounced(email, 'Permanent'), 'whsec_Zm9yZ2VkLXNlY3JldC1mb3JnZWQtc2VjcmV0LTEyMw==');
      expect(forged.status).toBe(401);
      expect(await (await api(h, 'GET', `/v1/lists/${list}/subscribers`)).text()).toContain(email);
    },
  },
];
