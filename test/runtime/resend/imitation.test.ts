import { afterEach, describe, expect, it } from 'vitest';
import { Resend } from 'resend';
import { startResendImitation, type ResendImitation, type ResendImitationOptions } from '../../support/resend-imitation';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const FROM = 'Listgate <noreply@listgate.test>';

const open: ResendImitation[] = [];
async function start(opts?: ResendImitationOptions) {
  const api = await startResendImitation(opts);
  open.push(api);
  return { api, resend: new Resend('re_test', { baseUrl: api.baseUrl }) };
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((a) => a.close()));
});

function mail(to: string | string[], n = 0) {
  return {
    from: FROM,
    to,
    subject: `Confirm your subscription ${n}`,
    html: `<p>Hi</p><a href="https://listgate.test/confirm?token=t${n}&amp;list=news">Confirm</a>`,
    text: `Confirm: https://listgate.test/confirm?token=t${n}&list=news.`,
    headers: { 'List-Unsubscribe': `<https://listgate.test/u/${n}>` },
  };
}

describe('resend imitation driven by the real resend SDK', () => {
  it('sends a single email (baseUrl via constructor option)', async () => {
    const { api, resend } = await start();
    expect(api.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(api.url).toBe(api.baseUrl);

    const { data, error, headers } = await resend.emails.send(mail('Ada <ada@example.com>', 1));
    expect(error).toBeNull();
    expect(data!.id).toMatch(UUID);
    expect(headers!['content-type']).toContain('application/json');

    expect(api.sent).toHaveLength(1);
    const m = api.sent[0];
    expect(m).toMatchObject({
      id: data!.id,
      from: FROM,
      to: ['Ada <ada@example.com>'],
      recipients: ['ada@example.com'],
      subject: 'Confirm your subscription 1',
      headers: { 'List-Unsubscribe': '<https://listgate.test/u/1>' },
      batchIndex: null,
      idempotencyKey: null,
    });
    expect(m.links).toEqual(['https://listgate.test/confirm?token=t1&list=news']);
    expect(api.lastMailTo('ADA@example.com')?.id).toBe(data!.id);

    const r = api.requests[0];
    expect(r).toMatchObject({ method: 'POST', path: '/emails', status: 200, outcome: 'accepted', mailCount: 1 });
    expect(r.headers.authorization).toBe('Bearer re_test');
    expect(r.headers['user-agent']).toMatch(/^resend-node:/);

    // The stored mail can be read back through the SDK too.
    const got = await resend.emails.get(data!.id);
    expect(got.data).toMatchObject({ object: 'email', id: data!.id, subject: 'Confirm your subscription 1' });
  });

  it('honours RESEND_BASE_URL when no baseUrl option is given (read at construction time)', async () => {
    const { api } = await start();
    const prev = process.env.RESEND_BASE_URL;
    process.env.RESEND_BASE_URL = api.baseUrl;
    try {
      const resend = new Resend('re_env');
      expect(resend.baseUrl).toBe(api.baseUrl);
      const { error } = await resend.emails.send(mail('env@example.com'));
      expect(error).toBeNull();
      expect(api.sent).toHaveLength(1);
    } finally {
      if (prev === undefined) delete process.env.RESEND_BASE_URL;
      else process.env.RESEND_BASE_URL = prev;
    }
  });

  it('requires a bearer API key (401 missing, 403 invalid) in Resend error shape', async () => {
    const { api } = await start();
    const res = await fetch(`${api.baseUrl}/emails`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(mail('a@example.com')),
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({
      statusCode: 401,
      message: 'Missing API key in the authorization header.',
      name: 'missing_api_key',
    });

    const bad = await new Resend('sk_not_resend', { baseUrl: api.baseUrl }).emails.send(mail('a@example.com'));
    expect(bad.error).toMatchObject({ statusCode: 403, name: 'invalid_api_key' });
    expect(api.sent).toHaveLength(0);
  });

  it('validates like Resend: required fields and address syntax', async () => {
    const { api, resend } = await start();
    const noSubject = await resend.emails.send({ from: FROM, to: 'a@example.com', html: '<p>x</p>' } as never);
    expect(noSubject.error).toEqual({
      statusCode: 422,
      name: 'missing_required_field',
      message: 'Missing `subject` field.',
    });
    const noBody = await resend.emails.send({ from: FROM, to: 'a@example.com', subject: 's' } as never);
    expect(noBody.error).toMatchObject({ statusCode: 422, name: 'missing_required_field' });
    const badTo = await resend.emails.send(mail('not-an-address'));
    expect(badTo.error).toMatchObject({ statusCode: 422, name: 'validation_error' });
    expect(badTo.error!.message).toMatch(/^Invalid `to` field/);
    const badFrom = await resend.emails.send({ ...mail('a@example.com'), from: 'nobody' });
    expect(badFrom.error).toMatchObject({ statusCode: 422, name: 'validation_error' });
    expect(api.sent).toHaveLength(0);
    expect(api.requests.map((r) => r.status)).toEqual([422, 422, 422, 422]);
  });

  it('sends a batch of 100 and rejects a batch of 101', async () => {
    const { api, resend } = await start();
    const emails = Array.from({ length: 100 }, (_, i) => mail(`user${i}@example.com`, i));
    const { data, error } = await resend.batch.send(emails);
    expect(error).toBeNull();
    expect(data!.data).toHaveLength(100);
    expect(data).not.toHaveProperty('errors');
    expect(api.sent.map((m) => m.id)).toEqual(data!.data.map((d) => d.id));
    expect(api.sent[42]).toMatchObject({ batchIndex: 42, to: ['user42@example.com'] });
    expect(api.requests[0]).toMatchObject({ path: '/emails/batch', batchValidation: 'strict', mailCount: 100 });

    const tooMany = await resend.batch.send([...emails, mail('x@example.com')]);
    expect(tooMany.error).toMatchObject({ statusCode: 422, name: 'validation_error' });
    expect(api.sent).toHaveLength(100);
  });

  it('strict batch: one invalid address rejects the whole batch', async () => {
    const { api, resend } = await start();
    const { data, error } = await resend.batch.send([mail('a@example.com'), mail('bad@@example'), mail('c@example.com')]);
    expect(data).toBeNull();
    expect(error).toMatchObject({ statusCode: 422, name: 'validation_error' });
    expect(api.sent).toHaveLength(0);
  });

  it('permissive batch: invalid ones reported in errors, valid ones accepted', async () => {
    const { api, resend } = await start();
    const { data, error } = await resend.batch.send(
      [mail('a@example.com', 0), mail('bad address', 1), mail('c@example.com', 2)],
      { batchValidation: 'permissive' },
    );
    expect(error).toBeNull();
    expect(data!.data).toHaveLength(2);
    expect(data!.errors).toEqual([{ index: 1, message: expect.stringMatching(/^Invalid `to` field/) }]);
    expect(api.requests[0].batchValidation).toBe('permissive');
    expect(api.sent.map((m) => [m.to[0], m.batchIndex])).toEqual([
      ['a@example.com', 0],
      ['c@example.com', 2],
    ]);
    expect(api.sent.map((m) => m.id)).toEqual(data!.data.map((d) => d.id));
  });

  it('idempotent replay: same key + same body -> same ids, mail recorded once', async () => {
    const { api, resend } = await start();
    const first = await resend.emails.send(mail('a@example.com'), { idempotencyKey: 'confirm/1' });
    const second = await resend.emails.send(mail('a@example.com'), { idempotencyKey: 'confirm/1' });
    expect(second.data!.id).toBe(first.data!.id);
    expect(api.sent).toHaveLength(1);
    expect(api.sent[0].idempotencyKey).toBe('confirm/1');
    expect(api.requests.map((r) => r.outcome)).toEqual(['accepted', 'replayed']);
    expect(api.requests[1]).toMatchObject({ idempotencyKey: 'confirm/1', acceptedCount: 0, status: 200 });

    const batch = [mail('b@example.com'), mail('c@example.com')];
    const b1 = await resend.batch.send(batch, { idempotencyKey: 'batch/1' });
    const b2 = await resend.batch.send(batch, { idempotencyKey: 'batch/1' });
    expect(b2.data).toEqual(b1.data);
    expect(api.sent).toHaveLength(3);
  });

  it('same key with a different body -> 409 invalid_idempotent_request', async () => {
    const { api, resend } = await start();
    await resend.emails.send(mail('a@example.com'), { idempotencyKey: 'k' });
    const { data, error } = await resend.emails.send(mail('other@example.com'), { idempotencyKey: 'k' });
    expect(data).toBeNull();
    expect(error).toMatchObject({ statusCode: 409, name: 'invalid_idempotent_request' });
    // Same body to a different endpoint is a different request too.
    const batch = await resend.batch.send([mail('a@example.com')], { idempotencyKey: 'k' });
    expect(batch.error).toMatchObject({ statusCode: 409, name: 'invalid_idempotent_request' });
    expect(api.sent).toHaveLength(1);
  });

  it('concurrent use of one key while the first is in progress -> 409 concurrent_idempotent_requests', async () => {
    const { api, resend } = await start({ latencyMs: 150 });
    const [a, b] = await Promise.all([
      resend.emails.send(mail('a@example.com'), { idempotencyKey: 'race' }),
      new Promise((r) => setTimeout(r, 30)).then(() =>
        resend.emails.send(mail('a@example.com'), { idempotencyKey: 'race' }),
      ),
    ]);
    expect(a.error).toBeNull();
    expect(b.error).toMatchObject({ statusCode: 409, name: 'concurrent_idempotent_requests' });
    expect(api.sent).toHaveLength(1);
  });

  it('500 fault for 3 requests, then recovery; faults consume neither mail nor idempotency key', async () => {
    const { api, resend } = await start();
    api.setFault({ status: 500, times: 3 });
    const results = [];
    for (let i = 0; i < 4; i++) {
      results.push(await resend.emails.send(mail('a@example.com'), { idempotencyKey: 'retry-me' }));
    }
    for (const r of results.slice(0, 3)) {
      expect(r.data).toBeNull();
      expect(r.error).toEqual({ statusCode: 500, name: 'internal_server_error', message: 'An unexpected error occurred.' });
      expect(r.headers).toEqual(expect.objectContaining({ 'content-type': expect.stringContaining('json') }));
    }
    expect(results[3].error).toBeNull();
    expect(results[3].data!.id).toMatch(UUID);
    expect(api.sent).toHaveLength(1);
    expect(api.requests.map((r) => r.outcome)).toEqual(['fault', 'fault', 'fault', 'accepted']);
    expect(api.getFault()).toBeNull();
  });

  it('fault until a predicate turns true', async () => {
    const { api, resend } = await start();
    let healthy = false;
    api.setFault({ status: 503, until: () => healthy });
    const down = await resend.emails.send(mail('a@example.com'));
    expect(down.error).toMatchObject({ statusCode: 503, name: 'application_error' });
    healthy = true;
    const up = await resend.emails.send(mail('a@example.com'));
    expect(up.error).toBeNull();
    expect(api.sent).toHaveLength(1);
  });

  it('non-JSON error body (e.g. a proxy page) becomes application_error with the HTTP status', async () => {
    const { api, resend } = await start();
    api.setFault({ status: 502, body: '<html>Bad Gateway</html>', times: 1 });
    const { error, headers } = await resend.emails.send(mail('a@example.com'));
    expect(error).toMatchObject({ statusCode: 502, name: 'application_error' });
    expect(headers!['content-type']).toContain('text/html');
  });

  it('429 fault with retry-after is visible in the SDK result headers', async () => {
    const { api, resend } = await start();
    api.setFault({ status: 429, retryAfter: 2, times: 1 });
    const { data, error, headers } = await resend.emails.send(mail('a@example.com'));
    expect(data).toBeNull();
    expect(error).toMatchObject({ statusCode: 429, name: 'rate_limit_exceeded' });
    expect(headers!['retry-after']).toBe('2');
    expect(api.sent).toHaveLength(0);
    expect((await resend.emails.send(mail('a@example.com'))).error).toBeNull();
  });

  it('network drop surfaces as statusCode null, headers null; nothing recorded', async () => {
    const { api, resend } = await start();
    api.setFault({ drop: true, times: 1 });
    const res = await resend.emails.send(mail('a@example.com'), { idempotencyKey: 'drop' });
    expect(res).toEqual({
      data: null,
      error: {
        name: 'application_error',
        statusCode: null,
        message: 'Unable to fetch data. The request could not be resolved.',
      },
      headers: null,
    });
    expect(api.sent).toHaveLength(0);
    expect(api.requests[0]).toMatchObject({ outcome: 'dropped', status: null });
    const retry = await resend.emails.send(mail('a@example.com'), { idempotencyKey: 'drop' });
    expect(retry.error).toBeNull();
    expect(api.requests[1].outcome).toBe('accepted');
    expect(api.sent).toHaveLength(1);
  });

  it("lost acknowledgement (drop: 'after-accept'): retry with the same key replays, no duplicate", async () => {
    const { api, resend } = await start();
    api.setFault({ drop: 'after-accept', times: 1 });
    const lost = await resend.emails.send(mail('a@example.com'), { idempotencyKey: 'ack' });
    expect(lost.error).toMatchObject({ statusCode: null });
    expect(api.sent).toHaveLength(1);
    const retry = await resend.emails.send(mail('a@example.com'), { idempotencyKey: 'ack' });
    expect(retry.data!.id).toBe(api.sent[0].id);
    expect(api.sent).toHaveLength(1);
    expect(api.requests.map((r) => r.outcome)).toEqual(['dropped', 'replayed']);
  });

  it('rate limit: requests beyond N per rolling second get 429 with retry-after and ratelimit-* headers', async () => {
    const { api, resend } = await start({ rateLimitPerSecond: 2 });
    const r1 = await resend.emails.send(mail('a@example.com'));
    const r2 = await resend.emails.send(mail('b@example.com'));
    const r3 = await resend.emails.send(mail('c@example.com'));
    expect(r1.error).toBeNull();
    expect(r1.headers).toMatchObject({ 'ratelimit-limit': '2', 'ratelimit-remaining': '1' });
    expect(r2.headers).toMatchObject({ 'ratelimit-remaining': '0' });
    expect(r3.error).toMatchObject({ statusCode: 429, name: 'rate_limit_exceeded' });
    const retryAfter = Number(r3.headers!['retry-after']);
    expect(Number.isInteger(retryAfter) && retryAfter >= 1).toBe(true);
    expect(r3.headers).toMatchObject({ 'ratelimit-limit': '2', 'ratelimit-remaining': '0' });
    expect(api.sent).toHaveLength(2);
    expect(api.requests.map((r) => r.outcome)).toEqual(['accepted', 'accepted', 'rate_limited']);

    await new Promise((r) => setTimeout(r, retryAfter * 1000 + 20));
    const r4 = await resend.emails.send(mail('c@example.com'));
    expect(r4.error).toBeNull();
    expect(api.sent).toHaveLength(3);
  });

  it('waitForMails resolves when enough mail arrived and rejects on timeout', async () => {
    const { api, resend } = await start();
    const waiting = api.waitForMails(2, 2000);
    setTimeout(() => void resend.batch.send([mail('a@example.com'), mail('b@example.com')]), 20);
    const got = await waiting;
    expect(got.map((m) => m.to[0])).toEqual(['a@example.com', 'b@example.com']);
    await expect(api.waitForMails(3, 50)).rejects.toThrow(/timed out/);
  });

  it('close() tears down keep-alive sockets; later calls fail as network errors', async () => {
    const { api, resend } = await start();
    expect((await resend.emails.send(mail('a@example.com'))).error).toBeNull();
    const t0 = Date.now();
    await api.close();
    expect(Date.now() - t0).toBeLessThan(1000);
    const after = await resend.emails.send(mail('a@example.com'));
    expect(after.error).toMatchObject({ statusCode: null, name: 'application_error' });
  });
});
