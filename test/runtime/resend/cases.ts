import { Resend } from 'resend';
import { expect } from 'vitest';
import type { OutboxMessage } from '../../../src/db/schema';
import { resendMailer } from '../../../src/mail/resend';
import type { ResendFake, ResendFakeOptions } from '../../support/fakes/resend/types';

/**
 * What the resend SDK, and our mailer over it, meet at Resend: idempotency keys, strict and
 * permissive batches, 429 and 5xx answers, lost connections. Runtime-neutral: node.test.ts runs
 * these against the imitation over HTTP on 127.0.0.1, workerd.test.ts against the same imitation
 * as workerd's fetch, so both runtimes are held to one behaviour.
 */
export type ResendWorld = {
  fake: ResendFake;
  baseUrl: string;
  /** The real SDK pointed at the imitation. */
  sdk(apiKey?: string): Resend;
};
export type ResendCase = { name: string; run(start: (opts?: ResendFakeOptions) => Promise<ResendWorld>): Promise<void> };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const FROM = 'Listgate <noreply@listgate.test>';

export function mail(to: string | string[], n = 0) {
  return {
    from: FROM,
    to,
    subject: `Confirm your subscription ${n}`,
    html: `<p>Hi</p><a href="https://listgate.test/confirm?token=t${n}&amp;list=news">Confirm</a>`,
    text: `Confirm: https://listgate.test/confirm?token=t${n}&list=news.`,
    headers: { 'List-Unsubscribe': `<https://listgate.test/u/${n}>` },
  };
}

const outboxMail = (to: string): OutboxMessage => ({ from: FROM, to, subject: 'Please confirm', html: `<p>Hi ${to}</p>`, text: `Hi ${to}` });
const mailerFor = (w: ResendWorld, apiKey = 're_test') => resendMailer({ apiKey, baseUrl: w.baseUrl, timeoutMs: 30_000 });

const sdkCases: ResendCase[] = [
  {
    name: 'sends a single email and reads it back',
    async run(start) {
      const { fake, sdk } = await start();
      const { data, error, headers } = await sdk().emails.send(mail('Ada <ada@example.com>', 1));
      expect(error).toBeNull();
      expect(data!.id).toMatch(UUID);
      expect(headers!['content-type']).toContain('application/json');
      expect(fake.sent).toHaveLength(1);
      expect(fake.sent[0]).toMatchObject({
        id: data!.id,
        from: FROM,
        to: ['Ada <ada@example.com>'],
        recipients: ['ada@example.com'],
        subject: 'Confirm your subscription 1',
        headers: { 'List-Unsubscribe': '<https://listgate.test/u/1>' },
        batchIndex: null,
        idempotencyKey: null,
      });
      expect(fake.sent[0].links).toEqual(['https://listgate.test/confirm?token=t1&list=news']);
      expect(fake.lastMailTo('ADA@example.com')?.id).toBe(data!.id);
      expect(fake.requests[0]).toMatchObject({ method: 'POST', path: '/emails', status: 200, outcome: 'accepted', mailCount: 1 });
      expect(fake.requests[0].headers.authorization).toBe('Bearer re_test');
      expect(fake.requests[0].headers['user-agent']).toMatch(/^resend-node:/);
      const got = await sdk().emails.get(data!.id);
      expect(got.data).toMatchObject({ object: 'email', id: data!.id, subject: 'Confirm your subscription 1' });
    },
  },
  {
    name: 'requires a bearer API key (401 missing, 403 invalid) in Resend error shape',
    async run(start) {
      const { fake, baseUrl, sdk } = await start();
      const res = await fetch(`${baseUrl}/emails`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(mail('a@example.com')) });
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ statusCode: 401, message: 'Missing API key in the authorization header.', name: 'missing_api_key' });
      const bad = await sdk('sk_not_resend').emails.send(mail('a@example.com'));
      expect(bad.error).toMatchObject({ statusCode: 403, name: 'invalid_api_key' });
      expect(fake.sent).toHaveLength(0);
    },
  },
  {
    name: 'validates like Resend: required fields and address syntax',
    async run(start) {
      const { fake, sdk } = await start();
      const noSubject = await sdk().emails.send({ from: FROM, to: 'a@example.com', html: '<p>x</p>' } as never);
      expect(noSubject.error).toEqual({ statusCode: 422, name: 'missing_required_field', message: 'Missing `subject` field.' });
      const noBody = await sdk().emails.send({ from: FROM, to: 'a@example.com', subject: 's' } as never);
      expect(noBody.error).toMatchObject({ statusCode: 422, name: 'missing_required_field' });
      const badTo = await sdk().emails.send(mail('not-an-address'));
      expect(badTo.error).toMatchObject({ statusCode: 422, name: 'validation_error' });
      expect(badTo.error!.message).toMatch(/^Invalid `to` field/);
      const badFrom = await sdk().emails.send({ ...mail('a@example.com'), from: 'nobody' });
      expect(badFrom.error).toMatchObject({ statusCode: 422, name: 'validation_error' });
      expect(fake.sent).toHaveLength(0);
      expect(fake.requests.map((r) => r.status)).toEqual([422, 422, 422, 422]);
    },
  },
  {
    name: 'sends a batch of 100 and rejects a batch of 101',
    async run(start) {
      const { fake, sdk } = await start();
      const emails = Array.from({ length: 100 }, (_, i) => mail(`user${i}@example.com`, i));
      const { data, error } = await sdk().batch.send(emails);
      expect(error).toBeNull();
      expect(data!.data).toHaveLength(100);
      expect(data).not.toHaveProperty('errors');
      expect(fake.sent.map((m) => m.id)).toEqual(data!.data.map((d) => d.id));
      expect(fake.sent[42]).toMatchObject({ batchIndex: 42, to: ['user42@example.com'] });
      expect(fake.requests[0]).toMatchObject({ path: '/emails/batch', batchValidation: 'strict', mailCount: 100 });
      const tooMany = await sdk().batch.send([...emails, mail('x@example.com')]);
      expect(tooMany.error).toMatchObject({ statusCode: 422, name: 'validation_error' });
      expect(fake.sent).toHaveLength(100);
    },
  },
  {
    name: 'strict batch: one invalid address rejects the whole batch',
    async run(start) {
      const { fake, sdk } = await start();
      const { data, error } = await sdk().batch.send([mail('a@example.com'), mail('bad@@example'), mail('c@example.com')]);
      expect(data).toBeNull();
      expect(error).toMatchObject({ statusCode: 422, name: 'validation_error' });
      expect(fake.sent).toHaveLength(0);
    },
  },
  {
    name: 'permissive batch: invalid ones reported in errors, valid ones accepted',
    async run(start) {
      const { fake, sdk } = await start();
      const { data, error } = await sdk().batch.send([mail('a@example.com', 0), mail('bad address', 1), mail('c@example.com', 2)], { batchValidation: 'permissive' });
      expect(error).toBeNull();
      expect(data!.data).toHaveLength(2);
      expect(data!.errors).toEqual([{ index: 1, message: expect.stringMatching(/^Invalid `to` field/) }]);
      expect(fake.requests[0].batchValidation).toBe('permissive');
      expect(fake.sent.map((m) => [m.to[0], m.batchIndex])).toEqual([
        ['a@example.com', 0],
        ['c@example.com', 2],
      ]);
      expect(fake.sent.map((m) => m.id)).toEqual(data!.data.map((d) => d.id));
    },
  },
  {
    name: 'idempotent replay: same key + same body -> same ids, mail recorded once',
    async run(start) {
      const { fake, sdk } = await start();
      const first = await sdk().emails.send(mail('a@example.com'), { idempotencyKey: 'confirm/1' });
      const second = await sdk().emails.send(mail('a@example.com'), { idempotencyKey: 'confirm/1' });
      expect(second.data!.id).toBe(first.data!.id);
      expect(fake.sent).toHaveLength(1);
      expect(fake.sent[0].idempotencyKey).toBe('confirm/1');
      expect(fake.requests.map((r) => r.outcome)).toEqual(['accepted', 'replayed']);
      expect(fake.requests[1]).toMatchObject({ idempotencyKey: 'confirm/1', acceptedCount: 0, status: 200 });
      const batch = [mail('b@example.com'), mail('c@example.com')];
      const b1 = await sdk().batch.send(batch, { idempotencyKey: 'batch/1' });
      const b2 = await sdk().batch.send(batch, { idempotencyKey: 'batch/1' });
      expect(b2.data).toEqual(b1.data);
      expect(fake.sent).toHaveLength(3);
    },
  },
  {
    name: 'same key with a different body -> 409 invalid_idempotent_request',
    async run(start) {
      const { fake, sdk } = await start();
      await sdk().emails.send(mail('a@example.com'), { idempotencyKey: 'k' });
      const { data, error } = await sdk().emails.send(mail('other@example.com'), { idempotencyKey: 'k' });
      expect(data).toBeNull();
      expect(error).toMatchObject({ statusCode: 409, name: 'invalid_idempotent_request' });
      // Same body to a different endpoint is a different request too.
      const batch = await sdk().batch.send([mail('a@example.com')], { idempotencyKey: 'k' });
      expect(batch.error).toMatchObject({ statusCode: 409, name: 'invalid_idempotent_request' });
      expect(fake.sent).toHaveLength(1);
    },
  },
  {
    name: 'one key used again while the first request is in progress -> 409 concurrent_idempotent_requests',
    async run(start) {
      const { fake, sdk } = await start();
      const release = fake.hold();
      const first = sdk().emails.send(mail('a@example.com'), { idempotencyKey: 'race' });
      await fake.waitForArrivals(1, 30_000);
      const second = await sdk().emails.send(mail('a@example.com'), { idempotencyKey: 'race' });
      expect(second.error).toMatchObject({ statusCode: 409, name: 'concurrent_idempotent_requests' });
      release();
      expect((await first).error).toBeNull();
      expect(fake.sent).toHaveLength(1);
      expect(fake.requests.map((r) => r.outcome)).toEqual(['accepted', 'rejected']);
    },
  },
  {
    name: '500 fault for 3 requests, then recovery; faults consume neither mail nor idempotency key',
    async run(start) {
      const { fake, sdk } = await start();
      fake.setFault({ status: 500, times: 3 });
      const results = [];
      for (let i = 0; i < 4; i++) results.push(await sdk().emails.send(mail('a@example.com'), { idempotencyKey: 'retry-me' }));
      for (const r of results.slice(0, 3)) {
        expect(r.data).toBeNull();
        expect(r.error).toEqual({ statusCode: 500, name: 'internal_server_error', message: 'An unexpected error occurred.' });
        expect(r.headers).toEqual(expect.objectContaining({ 'content-type': expect.stringContaining('json') }));
      }
      expect(results[3].error).toBeNull();
      expect(results[3].data!.id).toMatch(UUID);
      expect(fake.sent).toHaveLength(1);
      expect(fake.requests.map((r) => r.outcome)).toEqual(['fault', 'fault', 'fault', 'accepted']);
      expect(fake.getFault()).toBeNull();
    },
  },
  {
    name: 'fault until a predicate turns true',
    async run(start) {
      const { fake, sdk } = await start();
      let healthy = false;
      fake.setFault({ status: 503, until: () => healthy });
      const down = await sdk().emails.send(mail('a@example.com'));
      expect(down.error).toMatchObject({ statusCode: 503, name: 'application_error' });
      healthy = true;
      expect((await sdk().emails.send(mail('a@example.com'))).error).toBeNull();
      expect(fake.sent).toHaveLength(1);
    },
  },
  {
    name: 'non-JSON error body (e.g. a proxy page) becomes application_error with the HTTP status',
    async run(start) {
      const { fake, sdk } = await start();
      fake.setFault({ status: 502, body: '<html>Bad Gateway</html>', times: 1 });
      const { error, headers } = await sdk().emails.send(mail('a@example.com'));
      expect(error).toMatchObject({ statusCode: 502, name: 'application_error' });
      expect(headers!['content-type']).toContain('text/html');
    },
  },
  {
    name: '429 fault with retry-after is visible in the SDK result headers',
    async run(start) {
      const { fake, sdk } = await start();
      fake.setFault({ status: 429, retryAfter: 2, times: 1 });
      const { data, error, headers } = await sdk().emails.send(mail('a@example.com'));
      expect(data).toBeNull();
      expect(error).toMatchObject({ statusCode: 429, name: 'rate_limit_exceeded' });
      expect(headers!['retry-after']).toBe('2');
      expect(fake.sent).toHaveLength(0);
      expect((await sdk().emails.send(mail('a@example.com'))).error).toBeNull();
    },
  },
  {
    name: 'network drop surfaces as statusCode null, headers null; nothing recorded',
    async run(start) {
      const { fake, sdk } = await start();
      fake.setFault({ drop: true, times: 1 });
      const res = await sdk().emails.send(mail('a@example.com'), { idempotencyKey: 'drop' });
      expect(res).toEqual({ data: null, error: { name: 'application_error', statusCode: null, message: 'Unable to fetch data. The request could not be resolved.' }, headers: null });
      expect(fake.sent).toHaveLength(0);
      expect(fake.requests[0]).toMatchObject({ outcome: 'dropped', status: null });
      const retry = await sdk().emails.send(mail('a@example.com'), { idempotencyKey: 'drop' });
      expect(retry.error).toBeNull();
      expect(fake.requests[1].outcome).toBe('accepted');
      expect(fake.sent).toHaveLength(1);
    },
  },
  {
    name: "lost acknowledgement (drop: 'after-accept'): retry with the same key replays, no duplicate",
    async run(start) {
      const { fake, sdk } = await start();
      fake.setFault({ drop: 'after-accept', times: 1 });
      const lost = await sdk().emails.send(mail('a@example.com'), { idempotencyKey: 'ack' });
      expect(lost.error).toMatchObject({ statusCode: null });
      expect(fake.sent).toHaveLength(1);
      const retry = await sdk().emails.send(mail('a@example.com'), { idempotencyKey: 'ack' });
      expect(retry.data!.id).toBe(fake.sent[0].id);
      expect(fake.sent).toHaveLength(1);
      expect(fake.requests.map((r) => r.outcome)).toEqual(['dropped', 'replayed']);
    },
  },
  {
    name: 'rate limit: requests beyond N per rolling second get 429 with retry-after and ratelimit-* headers',
    async run(start) {
      let now = 1_000_000;
      const { fake, sdk } = await start({ rateLimitPerSecond: 2, now: () => now });
      const r1 = await sdk().emails.send(mail('a@example.com'));
      const r2 = await sdk().emails.send(mail('b@example.com'));
      const r3 = await sdk().emails.send(mail('c@example.com'));
      expect(r1.error).toBeNull();
      expect(r1.headers).toMatchObject({ 'ratelimit-limit': '2', 'ratelimit-remaining': '1' });
      expect(r2.headers).toMatchObject({ 'ratelimit-remaining': '0' });
      expect(r3.error).toMatchObject({ statusCode: 429, name: 'rate_limit_exceeded' });
      expect(r3.headers).toMatchObject({ 'ratelimit-limit': '2', 'ratelimit-remaining': '0', 'retry-after': '1' });
      expect(fake.sent).toHaveLength(2);
      expect(fake.requests.map((r) => r.outcome)).toEqual(['accepted', 'accepted', 'rate_limited']);
      now += 999; // still inside the second of the first two
      expect((await sdk().emails.send(mail('c@example.com'))).error).toMatchObject({ statusCode: 429 });
      now += 1; // the window has rolled past them
      expect((await sdk().emails.send(mail('c@example.com'))).error).toBeNull();
      expect(fake.sent).toHaveLength(3);
    },
  },
  {
    name: 'waitForMails resolves when enough mail arrived and rejects on timeout',
    async run(start) {
      const { fake, sdk } = await start();
      const waiting = fake.waitForMails(2, 30_000);
      const sending = sdk().batch.send([mail('a@example.com'), mail('b@example.com')]);
      expect((await waiting).map((m) => m.to[0])).toEqual(['a@example.com', 'b@example.com']);
      await sending;
      await expect(fake.waitForMails(3, 50)).rejects.toThrow(/timed out/);
    },
  },
];

const mailerCases: ResendCase[] = [
  {
    name: 'mailer: one permissive batch under the caller key; an invalid address fails alone and for good',
    async run(start) {
      const w = await start();
      const out = await mailerFor(w).send([outboxMail('a@example.com'), outboxMail('not an address'), outboxMail('c@example.com')], { idempotencyKey: 'listgate-b1' });
      expect(w.fake.requests).toMatchObject([{ path: '/emails/batch', batchValidation: 'permissive', idempotencyKey: 'listgate-b1', mailCount: 3 }]);
      expect(out.ok).toBe(true);
      const results = out.ok ? out.results : [];
      expect(results[0]).toEqual({ id: w.fake.sent[0].id });
      expect(results[1]).toEqual({ error: expect.stringMatching(/^Invalid `to` field/), permanent: true });
      expect(results[2]).toEqual({ id: w.fake.sent[1].id });
    },
  },
  {
    name: 'mailer: a 5xx or a lost answer is retryable and in doubt; the same batch under the same key is then replayed, not sent twice',
    async run(start) {
      const w = await start();
      const batch = [outboxMail('a@example.com'), outboxMail('b@example.com')];
      w.fake.setFault({ status: 503, times: 1 });
      expect(await mailerFor(w).send(batch, { idempotencyKey: 'k1' })).toMatchObject({ ok: false, retryable: true, inDoubt: true, error: expect.stringMatching(/^503 /) });
      w.fake.setFault({ drop: 'after-accept', times: 1 });
      expect(await mailerFor(w).send(batch, { idempotencyKey: 'k1' })).toMatchObject({ ok: false, retryable: true, inDoubt: true, error: expect.stringMatching(/^network /) });
      const again = await mailerFor(w).send(batch, { idempotencyKey: 'k1' });
      expect(again).toEqual({ ok: true, results: w.fake.sent.map((m) => ({ id: m.id })) });
      expect(w.fake.requests.map((r) => r.outcome)).toEqual(['fault', 'dropped', 'replayed']);
      expect(w.fake.sent).toHaveLength(2);
    },
  },
  {
    name: 'mailer: a 429 is retried no sooner than its Retry-After, and is not in doubt',
    async run(start) {
      const w = await start();
      w.fake.setFault({ status: 429, retryAfter: 7, times: 1 });
      expect(await mailerFor(w).send([outboxMail('a@example.com')], { idempotencyKey: 'k2' })).toMatchObject({ ok: false, retryable: true, inDoubt: false, retryAfterMs: 7000 });
      expect(w.fake.sent).toHaveLength(0);
    },
  },
  {
    name: 'mailer: a key reused for another batch is refused for good; a key still in progress is retried',
    async run(start) {
      const w = await start();
      await mailerFor(w).send([outboxMail('a@example.com')], { idempotencyKey: 'k3' });
      expect(await mailerFor(w).send([outboxMail('b@example.com')], { idempotencyKey: 'k3' })).toMatchObject({ ok: false, retryable: false, error: expect.stringContaining('invalid_idempotent_request') });
      const release = w.fake.hold();
      const first = mailerFor(w).send([outboxMail('c@example.com')], { idempotencyKey: 'k4' });
      await w.fake.waitForArrivals(3, 30_000);
      expect(await mailerFor(w).send([outboxMail('c@example.com')], { idempotencyKey: 'k4' })).toMatchObject({ ok: false, retryable: true, error: expect.stringContaining('concurrent_idempotent_requests') });
      release();
      expect(await first).toMatchObject({ ok: true });
      expect(w.fake.sent.map((m) => m.to[0])).toEqual(['a@example.com', 'c@example.com']);
    },
  },
  {
    name: 'mailer: a refused API key keeps the mail waiting for the operator instead of failing it',
    async run(start) {
      const w = await start({ apiKeys: ['re_right'] });
      expect(await mailerFor(w, 're_wrong').send([outboxMail('a@example.com')], { idempotencyKey: 'k5' })).toMatchObject({ ok: false, retryable: true, error: expect.stringContaining('invalid_api_key') });
      expect(await mailerFor(w, 're_right').send([outboxMail('a@example.com')], { idempotencyKey: 'k5' })).toMatchObject({ ok: true });
    },
  },
];


export const cases = [...sdkCases, ...mailerCases];
