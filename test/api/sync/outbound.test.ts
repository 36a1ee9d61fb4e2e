import { afterEach, describe, expect, it } from 'vitest';
import { confirmed, count, pendingSignup } from '../../support/flow';
import { ADMIN, api, makeList } from '../../support/operator';
import { csvOf, importInit, importPath } from '../../support/imports';
import { syncHarness, type SyncHarness } from '../../support/sync';
import { resendEvent, postResend } from '../../support/webhooks';

let h: SyncHarness;
afterEach(() => h?.close());

describe('Resend contact sync, listgate to Resend', () => {
  it('makes a confirmed address a contact in the segment, opted in to the topic', async () => {
    h = await syncHarness();
    await h.sync();
    await confirmed(h, 'ann@example.com', { name: 'Ann' });
    await h.run();
    const c = h.resend.contacts.find('ann@example.com');
    expect(c?.segments.has(h.segment)).toBe(true);
    expect(h.topicOf('ann@example.com')).toBe('opt_in');
    expect(c?.unsubscribed).toBe(false);
    expect(c?.first_name).toBe('Ann');
    expect(await h.progress()).toMatchObject({ status: 'active', pending: 0, failed: 0, synced: 1 });
  });

  it('syncs the confirmed subscribers a list already had as a backlog, its progress shown', async () => {
    h = await syncHarness();
    for (const e of ['a@example.com', 'b@example.com', 'c@example.com']) await confirmed(h, e);
    await pendingSignup(h, 'pending@example.com');
    const before = await h.sync();
    expect(before).toMatchObject({ position: 0, pending: 0, synced: 0 });
    await h.run();
    expect(h.resend.contacts.all().map((c) => c.email).sort()).toEqual(['a@example.com', 'b@example.com', 'c@example.com']);
    const after = await h.progress();
    expect(after.position).toBe(after.feed_head);
    expect(after).toMatchObject({ pending: 0, synced: 3 });
  });

  it('opts the topic out on an unsubscribe, keeping the contact', async () => {
    h = await syncHarness();
    await h.sync();
    await confirmed(h, 'bo@example.com');
    await h.run();
    expect((await api(h, 'POST', '/v1/lists/newsletter/subscribers/bo@example.com/unsubscribe')).status).toBe(200);
    await h.run();
    expect(h.topicOf('bo@example.com')).toBe('opt_out');
    expect(h.resend.contacts.find('bo@example.com')?.unsubscribed).toBe(false);
  });

  it('sets the contact-wide unsubscribed flag on a suppression', async () => {
    h = await syncHarness();
    await h.sync();
    await confirmed(h, 'cy@example.com');
    await h.run();
    expect((await api(h, 'POST', '/v1/suppressions', ADMIN, { email: 'cy@example.com' })).status).toBeLessThan(300);
    await h.run();
    expect(h.resend.contacts.find('cy@example.com')?.unsubscribed).toBe(true);
  });

  it('deletes the contact on an erasure, by the id kept for it (the event carries no address)', async () => {
    h = await syncHarness();
    await h.sync();
    await confirmed(h, 'di@example.com');
    await h.run();
    const id = h.resend.contacts.find('di@example.com')!.id;
    expect(count(h, 'resend_contacts')).toBe(1);
    expect((await api(h, 'DELETE', '/v1/subscribers/di@example.com')).status).toBe(200);
    await h.run();
    expect(h.resend.contacts.find('di@example.com')).toBeUndefined();
    expect(h.contactCalls().at(-1)).toMatchObject({ method: 'DELETE', path: `/contacts/${id}`, status: 200 });
    expect(count(h, 'resend_contacts')).toBe(0);
  });

  it('brings an existing contact into the segment and topic rather than failing on it', async () => {
    h = await syncHarness();
    await h.sync();
    // Made by the operator's own code before the sync: unsubscribed and in no segment.
    await h.client().contacts.create({ email: 'old@example.com', unsubscribed: true });
    await confirmed(h, 'old@example.com');
    await h.run();
    const c = h.resend.contacts.find('old@example.com')!;
    expect([c.segments.has(h.segment), c.unsubscribed, h.topicOf('old@example.com')]).toEqual([true, false, 'opt_in']);
  });

  it('mirrors the state now: a confirmation retried after its unsubscribe does not opt back in', async () => {
    h = await syncHarness();
    await h.sync();
    await confirmed(h, 'eve@example.com');
    await api(h, 'POST', '/v1/lists/newsletter/subscribers/eve@example.com/unsubscribe');
    await h.run();
    expect(h.topicOf('eve@example.com')).toBeUndefined(); // never a contact: the opt-out found none
    expect(h.contactCalls().map((r) => `${r.method} ${r.status}`)).toEqual(['PATCH 404']);
  });

  it('retries after a 429 from Resend and then syncs', async () => {
    h = await syncHarness();
    await h.sync();
    await confirmed(h, 'fay@example.com');
    h.resend.setFault({ status: 429, times: 1, match: (r) => r.path === '/contacts' });
    await h.run();
    expect(h.resend.contacts.find('fay@example.com')).toBeUndefined();
    expect(await h.progress()).toMatchObject({ status: 'failing', pending: 1 });
    await h.dueNow();
    await h.run();
    expect(h.topicOf('fay@example.com')).toBe('opt_in');
    expect(await h.progress()).toMatchObject({ status: 'active', pending: 0, synced: 1 });
  });

  it('syncs imported rows only when the import asked (notify=1)', async () => {
    h = await syncHarness();
    await makeList(h, 'quiet');
    await makeList(h, 'loud');
    await h.sync('quiet');
    await h.sync('loud');
    const q = { mode: 'confirmed', consent_source: 'signup form 2024' } as const;
    expect((await h.app.request(importPath('quiet', q), importInit(ADMIN, csvOf(2, 'quiet')))).status).toBe(200);
    expect((await h.app.request(importPath('loud', { ...q, notify: '1' }), importInit(ADMIN, csvOf(2, 'loud')))).status).toBe(200);
    await h.run();
    expect(h.resend.contacts.all().map((c) => c.email).sort()).toEqual(['loud0@example.com', 'loud1@example.com']);
  });

  it('stops with the list: deleting a list removes its sync', async () => {
    h = await syncHarness();
    await makeList(h, 'gone');
    await h.sync('gone');
    expect((await api(h, 'DELETE', '/v1/lists/gone')).status).toBe(204);
    expect(count(h, 'push_consumers')).toBe(0);
  });

  it('leaves the contact.updated flow idempotent: a topic opt-out from Resend is not echoed back', async () => {
    h = await syncHarness();
    await h.sync();
    await confirmed(h, 'gil@example.com');
    await h.run();
    const calls = h.contactCalls().length;
    const res = await postResend(h, { ...resendEvent(h, 'contact.topics.updated', 'x'), data: { email: 'gil@example.com', topics: [{ id: h.topic, subscription: 'opt_out' }] } });
    expect(await res.json()).toEqual({ status: 'applied', subscriptions: 1 });
    await h.run();
    expect(h.contactCalls().length).toBe(calls);
  });
});
