import { describe, expect, it } from 'vitest';
import { signup, testApp, type TestApp } from '../../support/app';
import { confirmed } from '../../support/flow';
import { confirmTokenFor } from '../../support/mail';
import { ADMIN, adminEnv, api, makeList, type Json } from '../../support/operator';

/** Every subscription row, as list slug, address as stored and state. */
const rows = (t: TestApp) =>
  t.sqlite.sqlite.prepare('SELECT l.slug AS list, s.email, s.state FROM subscriptions s JOIN lists l ON l.id = s.list_id ORDER BY l.slug, s.email').all();

const exported = async (t: TestApp, list: string) => ((await (await api(t, 'GET', `/v1/lists/${list}/subscribers?format=json`, ADMIN)).json()) as Json).data.map((r: Json) => r.email);

const notMeLink = (t: TestApp, to: string) => {
  const mail = [...t.mailer.sent].reverse().find((m) => m.to === to)!;
  return /\/not-me\?token=([\w.-]+)/.exec(mail.text)![1];
};

describe('a mailbox is one inbox, however its address is written', () => {
  it('sends one confirmation mail per 15 minutes to a Gmail inbox, across dots, +tags and googlemail.com', async () => {
    const t = await testApp(adminEnv);
    const variants = ['j.doe+1@gmail.com', 'jdoe+2@gmail.com', 'j.d.oe@gmail.com', 'JDoe@googlemail.com', 'jdoe@gmail.com'];
    for (const [i, email] of variants.entries()) expect((await signup(t, email, { ip: `198.51.100.${i + 1}` })).status).toBe(202);
    await t.deliver();
    expect(t.mailer.sent).toHaveLength(1);
    // Lists keep the addresses as typed: five rows.
    expect(rows(t)).toHaveLength(5);
    // An address at an unknown provider keeps its +tag as its own mailbox.
    expect((await signup(t, 'a+b@example.com', { ip: '198.51.100.50' })).status).toBe(202);
    expect((await signup(t, 'a+c@example.com', { ip: '198.51.100.51' })).status).toBe(202);
    await t.deliver();
    expect(t.mailer.sent.map((m) => m.to)).toEqual(['j.doe+1@gmail.com', 'a+b@example.com', 'a+c@example.com']);
  });

  it('counts three mails per 24 hours per mailbox at providers that deliver +tags (Outlook)', async () => {
    const t = await testApp(adminEnv);
    for (let i = 0; i < 5; i++) {
      t.clock.advance(16 * 60_000);
      expect((await signup(t, `pat+${i}@outlook.com`, { ip: `198.51.100.${i + 1}` })).status).toBe(202);
    }
    await t.deliver();
    expect(t.mailer.sent).toHaveLength(3);
  });

  it('suppresses every variant on every list when one variant hard-bounces, and never exports them', async () => {
    const t = await testApp(adminEnv);
    await makeList(t, 'weekly');
    await confirmed(t, 'ann.lee@gmail.com');
    await confirmed(t, 'annlee+weekly@gmail.com', { list: 'weekly' });
    const res = await api(t, 'POST', '/v1/events', ADMIN, { type: 'bounce', bounce_type: 'permanent', email: 'AnnLee@googlemail.com' });
    expect(res.status).toBe(200);
    expect(rows(t)).toEqual([
      { list: 'newsletter', email: 'ann.lee@gmail.com', state: 'suppressed' },
      { list: 'weekly', email: 'annlee+weekly@gmail.com', state: 'suppressed' },
    ]);
    expect(await exported(t, 'newsletter')).toEqual([]);
    expect(await exported(t, 'weekly')).toEqual([]);
    // A new variant cannot sign up again either.
    t.clock.advance(16 * 60_000);
    const before = t.mailer.sent.length;
    expect((await signup(t, 'a.n.n.l.e.e@gmail.com', { ip: '198.51.100.77' })).status).toBe(202);
    await t.deliver();
    expect(t.mailer.sent).toHaveLength(before);
  });

  it('"this wasn\'t me" after the pending signup expired still suppresses the mailbox on every list and tells each feed', async () => {
    const t = await testApp({ ...adminEnv, CONFIRM_TTL_HOURS: '1' });
    await makeList(t, 'weekly');
    await confirmed(t, 'victim@example.com', { list: 'weekly' });
    t.clock.advance(16 * 60_000);
    expect((await signup(t, 'victim@example.com', { ip: '198.51.100.9' })).status).toBe(202);
    await t.deliver();
    const token = notMeLink(t, 'victim@example.com');
    // The unconfirmed signup expires and is purged before the victim clicks.
    t.clock.advance(2 * 3600_000);
    await t.maintain();
    expect(rows(t)).toEqual([{ list: 'weekly', email: 'victim@example.com', state: 'confirmed' }]);
    const res = await t.app.request('/not-me', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }) });
    expect(res.status).toBe(200);
    expect(rows(t)).toEqual([{ list: 'weekly', email: 'victim@example.com', state: 'suppressed' }]);
    expect(await exported(t, 'weekly')).toEqual([]);
    const feed = ((await (await api(t, 'GET', '/v1/lists/weekly/changes', ADMIN)).json()) as Json).data.map((e: Json) => e.type);
    expect(feed).toEqual(['confirmed', 'suppressed']);
  });

  it('erases every variant of the mailbox, and the lookup then finds nothing but the suppression', async () => {
    const t = await testApp(adminEnv);
    await confirmed(t, 'bo.b@gmail.com');
    await confirmed(t, 'bob+x@gmail.com');
    expect(((await (await api(t, 'GET', '/v1/subscribers/bob@gmail.com', ADMIN)).json()) as Json).subscriptions).toHaveLength(2);
    const res = await api(t, 'DELETE', '/v1/subscribers/BOB@googlemail.com', ADMIN);
    expect(await res.json()).toEqual({ status: 'erased', lists: 1 });
    expect(rows(t)).toEqual([]);
    const lookup = (await (await api(t, 'GET', '/v1/subscribers/b.o.b@gmail.com', ADMIN)).json()) as Json;
    expect(lookup).toMatchObject({ suppression: { reason: 'erased' }, subscriptions: [] });
    expect(JSON.stringify(t.sqlite.sqlite.prepare('SELECT * FROM outbox').all())).not.toMatch(/bob|bo\.b/);
  });

  it('keeps honouring a suppression recorded under the address as typed, before mailboxes were folded', async () => {
    const t = await testApp(adminEnv);
    // What an older version stored for a complaint from j.doe@gmail.com: the keyed hash of that exact key.
    const { addressHash } = await import('../../../src/domain/ids');
    const legacy = await addressHash(t.deps.hashKey, 'j.doe@gmail.com');
    t.sqlite.sqlite.prepare("INSERT INTO suppressions (hash, email, reason, source, created_at) VALUES (?, 'j.doe@gmail.com', 'complaint', 'old', 0)").run(legacy);
    expect((await signup(t, 'J.Doe@gmail.com', { ip: '198.51.100.3' })).status).toBe(202);
    await t.deliver();
    expect(t.mailer.sent).toHaveLength(0);
    expect(((await (await api(t, 'GET', '/v1/subscribers/j.doe@gmail.com', ADMIN)).json()) as Json).suppression).toMatchObject({ reason: 'complaint' });
    // Lifting it (force: a complaint) removes the old row too.
    expect((await api(t, 'DELETE', '/v1/suppressions/j.doe@gmail.com?force=true', ADMIN)).status).toBe(204);
    t.clock.advance(16 * 60_000);
    expect((await signup(t, 'j.doe@gmail.com', { ip: '198.51.100.4' })).status).toBe(202);
    await t.deliver();
    expect(confirmTokenFor(t.mailer.sent, 'j.doe@gmail.com')).toBeTruthy();
  });
});
