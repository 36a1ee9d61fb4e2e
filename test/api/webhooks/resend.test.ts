import { describe, expect, it } from 'vitest';
import { deliveryEvents, listDaily } from '../../../src/db/schema';
import { signup, testApp } from '../../support/app';
import { confirmed } from '../../support/flow';
import { ADMIN, feed, makeList, states, suppressionRows } from '../../support/operator';
import { postResend, RESEND_SECRET, resendEvent } from '../../support/webhooks';

const env = { RESEND_WEBHOOK_SECRET: RESEND_SECRET, ADMIN_TOKEN: ADMIN };
const bounce = (type: string) => ({ bounce: { type, subType: 'General', message: 'x' } });

describe('POST /webhooks/resend', () => {
  it('answers 503 when RESEND_WEBHOOK_SECRET is not set', async () => {
    const t = await testApp();
    const res = await postResend(t, resendEvent(t, 'email.delivered', 'a@example.com'));
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
  });

  it('suppresses a permanently bounced address on every list and shows `suppressed` in each feed', async () => {
    const t = await testApp(env);
    const other = await makeList(t, 'other');
    await confirmed(t, 'ann@example.com');
    await confirmed(t, 'ann@example.com', { list: 'other' });
    const res = await postResend(t, resendEvent(t, 'email.bounced', 'Ann <ann@example.com>', bounce('Permanent')));
    expect(res.status).toBe(200);
    expect((await res.json()) as any).toEqual({ status: 'applied', events: 1 });
    expect((await states(t, 'ann@example.com')).map((s) => s.state)).toEqual(['suppressed', 'suppressed']);
    expect(await suppressionRows(t)).toMatchObject([{ email: 'ann@example.com', reason: 'hard_bounce', source: expect.stringMatching(/^resend:msg_/) }]);
    expect((await feed(t, other.id)).map((e) => e.type)).toEqual(['confirmed', 'suppressed']);
    expect((await feed(t, 1)).at(-1)).toEqual({ type: 'suppressed', email: 'ann@example.com' });
    // One hard bounce counted on each list that held the address.
    expect((await t.deps.db.select().from(listDaily).all()).map((d) => d.hardBounces)).toEqual([1, 1]);
  });

  it('suppresses on a complaint', async () => {
    const t = await testApp(env);
    await confirmed(t, 'bob@example.com');
    expect((await postResend(t, resendEvent(t, 'email.complained', 'bob@example.com'))).status).toBe(200);
    expect(await states(t, 'bob@example.com')).toMatchObject([{ state: 'suppressed' }]);
    expect((await suppressionRows(t))[0].reason).toBe('complaint');
  });

  it('counts a transient bounce without suppressing, and records deliveries', async () => {
    const t = await testApp(env);
    await confirmed(t, 'cy@example.com');
    await postResend(t, resendEvent(t, 'email.bounced', 'cy@example.com', bounce('Transient')));
    await postResend(t, resendEvent(t, 'email.delivered', 'cy@example.com'));
    expect(await states(t, 'cy@example.com')).toMatchObject([{ state: 'confirmed' }]);
    expect(await suppressionRows(t)).toEqual([]);
    expect((await t.deps.db.select().from(deliveryEvents).all()).map((e) => e.type)).toEqual(['soft_bounce', 'delivered']);
  });

  it('counts an event only for the list named in its `list` tag', async () => {
    const t = await testApp(env);
    const other = await makeList(t, 'other');
    await confirmed(t, 'dee@example.com');
    await confirmed(t, 'dee@example.com', { list: 'other' });
    await postResend(t, resendEvent(t, 'email.delivered', 'dee@example.com', { tags: { list: 'other' } }));
    expect(await t.deps.db.select({ listId: deliveryEvents.listId }).from(deliveryEvents).all()).toEqual([{ listId: other.id }]);
  });

  it('answers 2xx to event types it does not act on, and changes nothing', async () => {
    const t = await testApp(env);
    await confirmed(t, 'eve@example.com');
    const res = await postResend(t, resendEvent(t, 'email.opened', 'eve@example.com'));
    expect(res.status).toBe(200);
    expect((await res.json()) as any).toEqual({ status: 'ignored' });
    expect(await t.deps.db.select().from(deliveryEvents).all()).toEqual([]);
  });

  it('rejects a bad signature with 401 and applies nothing', async () => {
    const t = await testApp(env);
    await confirmed(t, 'fay@example.com');
    const res = await postResend(t, resendEvent(t, 'email.complained', 'fay@example.com'), { secret: `whsec_${btoa('another secret entirely!')}` });
    expect(res.status).toBe(401);
    expect(((await res.json()) as any).title).toBe('Invalid signature');
    expect(await states(t, 'fay@example.com')).toMatchObject([{ state: 'confirmed' }]);
    const unsigned = await t.app.request('/webhooks/resend', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(unsigned.status).toBe(401);
  });

  it('rejects a timestamp more than 5 minutes old with 401', async () => {
    const t = await testApp(env);
    await confirmed(t, 'gus@example.com');
    const res = await postResend(t, resendEvent(t, 'email.complained', 'gus@example.com'), { sentAt: t.clock.now() - 6 * 60_000 });
    expect(res.status).toBe(401);
    expect(((await res.json()) as any).detail).toMatch(/5 minutes/);
    expect(await states(t, 'gus@example.com')).toMatchObject([{ state: 'confirmed' }]);
  });

  it('accepts a repeated svix-id but applies it once', async () => {
    const t = await testApp(env);
    await confirmed(t, 'hal@example.com');
    const event = resendEvent(t, 'email.delivered', 'hal@example.com');
    expect(await (await postResend(t, event, { id: 'msg_same' })).json()).toEqual({ status: 'applied', events: 1 });
    const again = await postResend(t, event, { id: 'msg_same' });
    expect(again.status).toBe(200);
    expect((await again.json()) as any).toEqual({ status: 'duplicate', events: 0 });
    expect(await t.deps.db.select().from(deliveryEvents).all()).toHaveLength(1);
  });

  it('applies a delivery once when the same svix-id arrives twice at the same moment', async () => {
    const t = await testApp(env);
    await confirmed(t, 'hal@example.com');
    const event = resendEvent(t, 'email.delivered', 'hal@example.com');
    const answers = await Promise.all([postResend(t, event, { id: 'msg_race' }), postResend(t, event, { id: 'msg_race' })]);
    expect(answers.map((r) => r.status)).toEqual([200, 200]);
    expect((await Promise.all(answers.map((r) => r.json() as Promise<{ status: string }>))).map((b) => b.status).sort()).toEqual(['applied', 'duplicate']);
    expect(await t.deps.db.select().from(deliveryEvents).all()).toHaveLength(1);
  });

  it('answers 400 to a signed event it cannot read', async () => {
    const t = await testApp(env);
    expect((await postResend(t, { type: 'email.bounced', created_at: 'soon', data: {} })).status).toBe(400);
  });

  it('keeps a bounced address out of later mail while answering its signup the same', async () => {
    const t = await testApp(env);
    await postResend(t, resendEvent(t, 'email.bounced', 'ivy@example.com', bounce('Permanent')));
    const before = t.mailer.sent.length;
    const res = await signup(t, 'ivy@example.com');
    expect(res.status).toBe(202);
    expect((await res.json()) as any).toEqual({ status: 'pending' });
    await t.deliver();
    expect(t.mailer.sent.length).toBe(before);
  });
});
