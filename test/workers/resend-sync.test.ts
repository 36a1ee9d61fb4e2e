import { createExecutionContext, createScheduledController, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import worker from '../../src/worker';
import { api, freshList, subscribeConfirmed, uniqueEmail } from '../contract/harness';
import { bindings, workerHarness } from './harness';
import { resend } from './resend';

async function runCron() {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ cron: '* * * * *', scheduledTime: Date.now() }), bindings, ctx);
  await waitOnExecutionContext(ctx);
}

/** Resend contact sync in workerd: the cron pushes contact operations through the SDK's fetch. */
describe('Resend contact sync on Workers (cron)', () => {
  it('makes a confirmed address a contact at the next cron run, and opts it out after an unsubscribe', async () => {
    const h = workerHarness();
    const list = await freshList(h);
    const segment = resend.contacts.addSegment(list);
    const topic = resend.contacts.addTopic(list, 'opt_out');
    expect((await api(h, 'PUT', `/v1/lists/${list}/sync`, { segment_id: segment, topic_id: topic })).status).toBe(201);
    const email = uniqueEmail('synced');
    await subscribeConfirmed(h, email, list);
    await runCron();
    const c = resend.contacts.find(email);
    expect([c?.segments.has(segment), c?.topics.get(topic)]).toEqual([true, 'opt_in']);

    expect((await api(h, 'POST', `/v1/lists/${list}/subscribers/${encodeURIComponent(email)}/unsubscribe`)).status).toBe(200);
    await runCron();
    expect(resend.contacts.find(email)?.topics.get(topic)).toBe('opt_out');
    const progress = (await (await api(h, 'GET', `/v1/lists/${list}/sync`)).json()) as { pending: number; synced: number };
    expect(progress).toMatchObject({ pending: 0, synced: 2 });
  });
});
