import { afterEach, describe, expect, it } from 'vitest';
import { resendMailer } from '../../../src/mail/resend';
import { confirmed, pendingSignup, subscriptionRow } from '../../support/flow';
import { ADMIN, makeList } from '../../support/operator';
import { importInit, importPath } from '../../support/imports';
import { syncHarness, type SyncHarness } from '../../support/sync';
import { postResend } from '../../support/webhooks';
import { syncDrift } from '../../../src/services/sync-drift';
import { findList } from '../../../src/db/queries/lists';
import { signup } from '../../support/app';

let h: SyncHarness;
afterEach(() => h?.close());

const contactUpdated = (email: string, unsubscribed: boolean) => ({
  type: 'contact.updated',
  created_at: new Date().toISOString(),
  data: { id: 'c1', audience_id: '', segment_ids: [], created_at: '', updated_at: '', email, unsubscribed },
});

describe('Resend contact sync, Resend to listgate', () => {
  it('unsubscribes the list whose topic was opted out, and only that list', async () => {
    h = await syncHarness();
    await makeList(h, 'other');
    const otherTopic = h.resend.contacts.addTopic('Other');
    await h.sync();
    await h.sync('other', { segment_id: h.segment, topic_id: otherTopic });
    await confirmed(h, 'ida@example.com');
    await confirmed(h, 'ida@example.com', { list: 'other' });
    const res = await postResend(h, { type: 'contact.topics.updated', created_at: new Date().toISOString(), data: { email: 'ida@example.com', topics: [{ id: h.topic, subscription: 'opt_out' }, { id: otherTopic, subscription: 'opt_in' }] } });
    expect(res.status).toBe(200);
    expect(subscriptionRow(h, 'ida@example.com')).toMatchObject({ state: 'unsubscribed', unsubscribe_source: 'resend:topic' });
    expect(subscriptionRow(h, 'ida@example.com', 'other').state).toBe('confirmed');
  });

  it('unsubscribes every synced list on the contact-wide flag, and no list that is not synced', async () => {
    h = await syncHarness();
    await makeList(h, 'second');
    await makeList(h, 'unsynced');
    await h.sync();
    await h.sync('second', { segment_id: h.resend.contacts.addSegment('Second'), topic_id: h.resend.contacts.addTopic('Second') });
    for (const list of ['newsletter', 'second', 'unsynced']) await confirmed(h, 'jo@example.com', { list });
    const res = await postResend(h, contactUpdated('Jo@Example.com', true));
    expect(await res.json()).toEqual({ status: 'applied', subscriptions: 2 });
    expect(['newsletter', 'second', 'unsynced'].map((l) => subscriptionRow(h, 'jo@example.com', l).state)).toEqual(['unsubscribed', 'unsubscribed', 'confirmed']);
    // The counters and the changes feed saw it as any unsubscribe.
    const list = await findList(h.deps.db, 'newsletter');
    expect([list?.countConfirmed, list?.countUnsubscribed]).toEqual([0, 1]);
    // Sent again by Resend: nothing changes twice.
    expect(await (await postResend(h, contactUpdated('jo@example.com', true))).json()).toEqual({ status: 'applied', subscriptions: 0 });
  });

  it('ignores an opt-in or a re-subscribe in Resend: joining a list takes a double opt-in', async () => {
    h = await syncHarness();
    await h.sync();
    await pendingSignup(h, 'kim@example.com');
    await postResend(h, contactUpdated('kim@example.com', false));
    await postResend(h, { type: 'contact.topics.updated', created_at: new Date().toISOString(), data: { email: 'kim@example.com', topics: [{ id: h.topic, subscription: 'opt_out' }] } });
    expect(subscriptionRow(h, 'kim@example.com').state).toBe('pending');
  });

  it('refuses a contact event without a valid signature', async () => {
    h = await syncHarness();
    await h.sync();
    await confirmed(h, 'lee@example.com');
    const res = await postResend(h, contactUpdated('lee@example.com', true), { secret: `whsec_${btoa('another secret entirely!')}` });
    expect(res.status).toBe(401);
    expect(subscriptionRow(h, 'lee@example.com').state).toBe('confirmed');
  });

  it('sends confirmation mail first: sync waits while mail is due, then takes its turn', async () => {
    h = await syncHarness({}, (baseUrl) => ({ mailer: resendMailer({ apiKey: 're_test', baseUrl }) }));
    await h.sync();
    const notify = { mode: 'confirmed', consent_source: 'form', notify: '1' } as const;
    expect((await h.app.request(importPath('newsletter', notify), importInit(ADMIN, 'email\nmax@example.com\n'))).status).toBe(200);
    // A signup whose confirmation mail is queued, not yet sent.
    h.clock.advance(16 * 60_000);
    expect((await signup(h, 'new@example.com', { ip: '203.0.113.9' })).status).toBe(202);
    const before = h.resend.requests.length;
    await h.run();
    expect(h.resend.requests.length).toBe(before); // no contact call while the mail waits
    expect(await h.progress()).toMatchObject({ pending: 1, failed: 0, synced: 0 });
    await h.deliver();
    h.clock.advance(6000);
    await h.run();
    const paths = h.resend.requests.slice(before).map((r) => `${r.method} ${r.path}`);
    expect(paths).toEqual(['POST /emails/batch', 'POST /contacts']);
    expect(h.topicOf('max@example.com')).toBe('opt_in');
  });
});

describe('drift between a list and its Resend segment', () => {
  it('reports drift on a dry run and fixes it with apply', async () => {
    h = await syncHarness();
    await h.sync();
    for (const e of ['in@example.com', 'out@example.com', 'lost@example.com']) await confirmed(h, e);
    await h.run();
    // Changed in Resend behind the sync's back: a topic opted out, a contact deleted, a stranger added.
    await h.client().contacts.topics.update({ email: 'out@example.com', topics: [{ id: h.topic, subscription: 'opt_out' }] });
    await h.client().contacts.remove({ email: 'lost@example.com' });
    await h.client().contacts.create({ email: 'stranger@example.com', segments: [{ id: h.segment }], topics: [{ id: h.topic, subscription: 'opt_in' }] });
    const list = (await findList(h.deps.db, 'newsletter'))!;

    const dry = await syncDrift(h.deps, h.client(), h.call(), list, { apply: false });
    const issues = dry.drift.map((d) => `${d.issue} ${d.email}`).sort();
    expect(issues).toEqual(['missing_there lost@example.com', 'not_confirmed_here stranger@example.com', 'opted_out_there out@example.com']);
    expect(dry.fixed).toBe(0);
    expect(h.resend.contacts.find('lost@example.com')).toBeUndefined();

    const applied = await syncDrift(h.deps, h.client(), h.call(), list, { apply: true });
    expect(applied.fixed).toBe(3);
    expect(['in', 'out', 'lost', 'stranger'].map((n) => h.topicOf(`${n}@example.com`))).toEqual(['opt_in', 'opt_in', 'opt_in', 'opt_out']);
    expect((await syncDrift(h.deps, h.client(), h.call(), list, { apply: false })).drift).toEqual([]);
  });
});
