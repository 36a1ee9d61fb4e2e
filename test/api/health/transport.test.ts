import { describe, expect, it } from 'vitest';
import { signup, testApp, type TestApp } from '../../support/app';

type Health = { status: string; database: string; outbox: { oldest_waiting_seconds: number | null; failures_last_hour: number; transport: string } };
const health = async (t: TestApp) => {
  const res = await t.app.request('/healthz');
  return { code: res.status, body: (await res.json()) as Health };
};
const lines = (t: TestApp, text: string) => t.logs.filter((l) => l.includes(text));

describe('/healthz while the mail transport refuses every send (a bad key, a paused account)', () => {
  it('says degraded with the outbox detail, logs one clear error (not one per retry), and recovers', async () => {
    const t = await testApp();
    expect((await health(t)).body).toEqual({ status: 'ok', database: 'ok', outbox: { oldest_waiting_seconds: null, failures_last_hour: 0, transport: 'ok' } });

    t.mailer.failNext(3);
    expect((await signup(t, 'waiting@example.com')).status).toBe(202);
    await t.deliver();
    t.clock.advance(90_000);
    let h = await health(t);
    // Still 200: the database works, and signups are still taken; the status tells the operator.
    expect(h.code).toBe(200);
    expect(h.body).toEqual({ status: 'degraded', database: 'ok', outbox: { oldest_waiting_seconds: 90, failures_last_hour: 1, transport: 'refusing' } });

    for (let i = 0; i < 2; i++) {
      t.clock.advance(10 * 60_000); // past the batch's backoff
      await t.deliver();
    }
    h = await health(t);
    expect(h.body.status).toBe('degraded');
    expect(h.body.outbox.failures_last_hour).toBe(3);
    expect(lines(t, 'mail transport refuses to send')).toHaveLength(1);

    t.clock.advance(10 * 60_000);
    await t.deliver();
    expect(t.mailer.sent.map((m) => m.to)).toEqual(['waiting@example.com']);
    h = await health(t);
    expect(h.body).toEqual({ status: 'ok', database: 'ok', outbox: { oldest_waiting_seconds: null, failures_last_hour: 3, transport: 'ok' } });
    expect(lines(t, 'mail transport works again')).toHaveLength(1);

    // Refusals older than an hour no longer count.
    t.clock.advance(61 * 60_000);
    expect((await health(t)).body.outbox.failures_last_hour).toBe(0);
  });

  it('a refusal an hour old with no request since is no longer "degraded"', async () => {
    const t = await testApp();
    t.mailer.failNext(1);
    await signup(t, 'once@example.com');
    await t.deliver();
    expect((await health(t)).body.status).toBe('degraded');
    t.clock.advance(61 * 60_000);
    expect((await health(t)).body.status).toBe('ok');
  });
});
