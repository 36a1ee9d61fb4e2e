import { createExecutionContext, createScheduledController, waitOnExecutionContext } from 'cloudflare:test';
import { eq } from 'drizzle-orm';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { outbox, outboxBatches, subscriptions } from '../../src/db/schema';
import worker, { type Bindings } from '../../src/worker';
import { uniqueEmail, uniqueIp } from '../contract/harness';
import { createSesFake } from '../support/fakes/ses/core';
import { routeSesFetch } from '../support/fakes/ses/fetch';
import { SES_TEST_CREDENTIALS } from '../support/fakes/ses/types';
import { bindings, PUBLIC_URL, testDb } from './harness';

// The worker as deployed with MAIL_TRANSPORT=ses: src/worker.ts builds the SES mailer from these
// bindings (this file's isolate builds its own), and its fetch reaches the SES imitation.
const ENDPOINT = 'https://email.ses-imitation.test';
const ses = createSesFake({ verifiedIdentities: ['example.com'] });
const unroute = routeSesFetch(ENDPOINT, ses);
afterAll(unroute);
const env = {
  ...bindings,
  RESEND_API_KEY: '',
  MAIL_TRANSPORT: 'ses',
  AWS_REGION: ses.region,
  AWS_ACCESS_KEY_ID: SES_TEST_CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: SES_TEST_CREDENTIALS.secretAccessKey,
  SES_ENDPOINT: ENDPOINT,
  SES_CONFIGURATION_SET: 'listgate-events',
} as Bindings;

async function request(path: string, init: RequestInit = {}) {
  const ctx = createExecutionContext();
  const headers = new Headers(init.headers);
  headers.set('cf-connecting-ip', uniqueIp());
  const res = await worker.fetch(new Request(`${PUBLIC_URL}${path}`, { ...init, headers }), env, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}
const signup = (email: string) => request('/lists/newsletter/subscribe', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email }) });
const health = async () => (await (await request('/healthz')).json()) as { status: string; outbox: { transport: string } };

/** The cron once its waiting batches are due (their backoff has passed). */
async function cronWhenDue() {
  await testDb().update(outboxBatches).set({ nextAttemptAt: 0 }).where(eq(outboxBatches.state, 'open'));
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ cron: '* * * * *', scheduledTime: Date.now() }), env, ctx);
  await waitOnExecutionContext(ctx);
}
const rowTo = (email: string) => testDb().select().from(outbox).where(eq(outbox.to, email)).get();

beforeEach(() => {
  ses.reset();
  ses.setSandbox(false);
});

describe('the worker with MAIL_TRANSPORT=ses (workerd)', () => {
  it("sends a signup's confirmation right after the answer, SigV4-signed, with the configuration set and list tag", async () => {
    const email = uniqueEmail('ses');
    expect((await signup(email)).status).toBe(202);
    expect(ses.mailsTo(email)).toHaveLength(1);
    expect(ses.mailsTo(email)[0]).toMatchObject({ configurationSet: 'listgate-events', tags: { list: 'newsletter' }, accessKeyId: SES_TEST_CREDENTIALS.accessKeyId });
    expect(ses.mailsTo(email)[0].text).toContain(`${PUBLIC_URL}/confirm?token=`);
    expect((await rowTo(email))?.providerId).toBe(ses.mailsTo(email)[0].messageId);
  });

  it("confirms through the mail's link: its token is signed and checked in workerd, and a forged one answers 400", async () => {
    const email = uniqueEmail('link');
    expect((await signup(email)).status).toBe(202);
    const token = /\/confirm\?token=([A-Za-z0-9._-]+)/.exec(ses.mailsTo(email)[0].text)![1];
    const post = (t: string) => request('/confirm', { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify({ token: t }) });
    const [head, body, signature] = token.split('.');
    const forged = `${head}.${body}.${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`;
    expect((await post(forged)).status).toBe(400);
    const res = await post(token);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'confirmed' });
    expect((await testDb().select().from(subscriptions).where(eq(subscriptions.email, email)).get())?.state).toBe('confirmed');
  });

  it('throttling, then success: the cron sends it, and exactly one mail is accepted', async () => {
    const email = uniqueEmail('throttled');
    ses.setFault({ status: 429, times: 1 });
    expect((await signup(email)).status).toBe(202);
    expect(ses.sent).toEqual([]);
    await cronWhenDue();
    expect(ses.requests.map((r) => r.outcome)).toEqual(['fault', 'accepted']);
    expect(ses.mailsTo(email)).toHaveLength(1);
  });

  it('retries a 5xx and delivers once', async () => {
    const email = uniqueEmail('five');
    ses.setFault({ status: 503, code: 'ServiceUnavailable', times: 2 });
    await signup(email);
    await cronWhenDue();
    await cronWhenDue();
    expect(ses.requests.map((r) => r.outcome)).toEqual(['fault', 'fault', 'accepted']);
    expect(ses.mailsTo(email)).toHaveLength(1);
  });

  it('fails the mail whose recipient SES rejects, and only that one', async () => {
    ses.setSandbox(true);
    ses.verify('ok@example.org');
    const ok = 'ok@example.org';
    const stranger = uniqueEmail('stranger').replace(/@.*/, '@example.org');
    await signup(ok);
    await signup(stranger);
    expect(ses.mailsTo(ok)).toHaveLength(1);
    expect(await rowTo(stranger)).toMatchObject({ state: 'failed', lastError: expect.stringContaining('MessageRejected') });
    expect((await health()).status).toBe('ok');
  });

  it('an account-level refusal pauses the outbox (no attempt spent) and /healthz says degraded; fixed, the mail goes', async () => {
    const email = uniqueEmail('paused');
    ses.setAccount('paused');
    await signup(email);
    for (let i = 0; i < 3; i++) await cronWhenDue();
    expect(ses.requests.map((r) => r.errorCode)).toEqual(Array(4).fill('SendingPausedException'));
    const batch = await testDb().select().from(outboxBatches).where(eq(outboxBatches.state, 'open')).get();
    expect(batch).toMatchObject({ attempts: 0, lastError: expect.stringContaining('SendingPausedException') });
    expect(await health()).toMatchObject({ status: 'degraded', outbox: { transport: 'refusing' } });
    ses.setAccount('enabled');
    await cronWhenDue();
    expect(ses.mailsTo(email)).toHaveLength(1);
    expect(await health()).toMatchObject({ status: 'ok', outbox: { transport: 'ok' } });
  });
});
