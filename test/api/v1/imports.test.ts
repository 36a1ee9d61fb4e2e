import { describe, expect, it } from 'vitest';
import { queueDueReminders } from '../../../src/services/reminders';
import { testApp } from '../../support/app';
import { confirmed, count, nextIp, subscriptionRow } from '../../support/flow';
import { csvOf } from '../../support/imports';
import { fixture, runImport } from '../../support/imports-node';
import { confirmTokenFor } from '../../support/mail';
import { adminEnv, api, feed, type Json, makeKey, makeList, parseCsv } from '../../support/operator';
import { jsonHeaders } from '../../support/requests';

const confirmedMode = { mode: 'confirmed', consent_source: 'Mailchimp double opt-in form, 2019-2024' } as const;

describe('POST /v1/lists/{list}/imports?mode=confirmed', () => {
  it('needs consent_source, how consent was collected', async () => {
    const t = await testApp(adminEnv);
    const res = await runImport(t, { mode: 'confirmed' }, csvOf(2));
    expect(res.status).toBe(422);
    expect(res.body.errors[0]).toMatchObject({ field: 'consent_source', code: 'required' });
    expect(count(t, 'subscriptions')).toBe(0);
  });

  it('puts rows into the export and the changes feed, confirmed at the import time, silently for pushes', async () => {
    const t = await testApp(adminEnv);
    const res = await runImport(t, confirmedMode, 'email,name\nada@example.com,Ada Lovelace\nbob@example.org,\n');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ mode: 'confirmed', format: 'plain', dry_run: false, state: 'done', rows: 2, imported: 2, errors: [] });
    expect(res.body.id).toMatch(/^imp_/);
    const csv = parseCsv(await (await api(t, 'GET', '/v1/lists/newsletter/subscribers')).text());
    expect(csv.slice(1).map((r) => [r[0], r[1], r[2]])).toEqual([
      ['ada@example.com', 'Ada Lovelace', new Date(t.clock.now()).toISOString()],
      ['bob@example.org', '', new Date(t.clock.now()).toISOString()],
    ]);
    const changes = (await (await api(t, 'GET', '/v1/lists/newsletter/changes')).json()) as Json;
    expect(changes.data.map((e: Json) => [e.type, e.email])).toEqual([
      ['confirmed', 'ada@example.com'],
      ['confirmed', 'bob@example.org'],
    ]);
    expect(count(t, 'changes', 'silent = 1')).toBe(2);
    // No mail: a confirmed address is never mailed by an import.
    expect(count(t, 'outbox')).toBe(0);
  });

  it('announces the rows to pushes with notify=1', async () => {
    const t = await testApp(adminEnv);
    expect((await runImport(t, { ...confirmedMode, notify: '1' }, csvOf(3))).status).toBe(200);
    expect(count(t, 'changes', 'silent = 0 AND type = \'confirmed\'')).toBe(3);
  });

  it('keeps the consent source and the file\'s opt-in time as evidence the lookup shows', async () => {
    const t = await testApp(adminEnv);
    const res = await runImport(t, confirmedMode, fixture('mailchimp-subscribed.csv'));
    expect(res.body).toMatchObject({ format: 'mailchimp', imported: 2 });
    const lookup = (await (await api(t, 'GET', '/v1/subscribers/ada@example.com')).json()) as Json;
    expect(lookup.subscriptions[0]).toMatchObject({
      name: 'Ada Lovelace',
      state: 'confirmed',
      confirmed_at: new Date(t.clock.now()).toISOString(),
      import: { id: res.body.id, mode: 'confirmed', consent_source: confirmedMode.consent_source, opt_in_at: '2019-03-14T09:14:00.000Z' },
    });
  });

  it('counts no signups: the funnel and the daily signups leave imported rows out, the counters and stats show them', async () => {
    const t = await testApp(adminEnv);
    await runImport(t, confirmedMode, csvOf(4));
    const stats = (await (await api(t, 'GET', '/v1/lists/newsletter/stats')).json()) as Json;
    expect(stats.counts).toEqual({ pending: 0, confirmed: 4, unsubscribed: 0, suppressed: 0 });
    expect(stats.signups).toBe(0);
    expect(stats.funnel.signups).toBe(0);
    expect(stats.imports[0]).toMatchObject({ mode: 'confirmed', state: 'done', rows: 4, imported: 4, consent_source: confirmedMode.consent_source, mail: null });
    const daily = (await (await api(t, 'GET', '/v1/lists/newsletter/stats/daily?days=1')).json()) as Json;
    expect(daily.data[0]).toMatchObject({ signups: 0, confirmed: 0 });
    const listed = (await (await api(t, 'GET', '/v1/lists/newsletter/imports')).json()) as Json;
    expect(listed.data).toHaveLength(1);
  });

  it('writes in chunks: a file of many chunks is whole, and an address repeated far apart is a duplicate', async () => {
    const t = await testApp(adminEnv);
    const body = `${csvOf(1200)}row7@example.com,Again\n`;
    const res = await runImport(t, confirmedMode, body);
    expect(res.body).toMatchObject({ rows: 1201, imported: 1200, skipped: { duplicate: 1 } });
    expect(res.body.errors).toEqual([{ line: 1202, email: 'row7@example.com', code: 'duplicate' }]);
    expect(count(t, 'changes')).toBe(1200);
    // Positions come from the feed's counter: distinct, and a later confirmation goes after them.
    expect(count(t, 'subscriptions', 'confirm_seq IS NOT NULL')).toBe(1200);
    expect((t.sqlite.sqlite.prepare('SELECT count(DISTINCT confirm_seq) AS n FROM subscriptions').get() as Json).n).toBe(1200);
    await confirmed(t, 'later@example.com');
    const later = subscriptionRow(t, 'later@example.com');
    expect(later.confirm_seq).toBeGreaterThan((t.sqlite.sqlite.prepare('SELECT max(confirm_seq) AS m FROM subscriptions WHERE import_id IS NOT NULL').get() as Json).m);
  });
});

describe('POST /v1/lists/{list}/imports?mode=reconfirm', () => {
  it('makes rows pending and queues their confirmation mail paced by IMPORT_RECONFIRM_PER_HOUR', async () => {
    const t = await testApp({ ...adminEnv, IMPORT_RECONFIRM_PER_HOUR: '60' });
    const start = t.clock.now();
    const res = await runImport(t, { mode: 'reconfirm' }, csvOf(3, 'dusty'));
    expect(res.body).toMatchObject({ mode: 'reconfirm', imported: 3, mails_queued: 3 });
    expect(t.sqlite.sqlite.prepare('SELECT next_attempt_at AS at FROM outbox ORDER BY id').all()).toEqual([{ at: start }, { at: start + 60_000 }, { at: start + 120_000 }]);
    await t.deliver();
    expect(t.mailer.sent.map((m) => m.to)).toEqual(['dusty0@example.com']);
    t.clock.advance(60_000);
    await t.deliver();
    expect(t.mailer.sent.map((m) => m.to)).toEqual(['dusty0@example.com', 'dusty1@example.com']);
    // The mail is the list's confirmation mail: its link confirms the imported row.
    const done = await t.app.request('/confirm', { method: 'POST', headers: jsonHeaders, body: JSON.stringify({ token: confirmTokenFor(t.mailer.sent, 'dusty1@example.com') }) }, { clientIp: nextIp() });
    expect(done.status).toBe(200);
    expect(subscriptionRow(t, 'dusty1@example.com').state).toBe('confirmed');
    expect(subscriptionRow(t, 'dusty0@example.com').state).toBe('pending');
    const stats = (await (await api(t, 'GET', '/v1/lists/newsletter/stats')).json()) as Json;
    expect(stats.imports[0].mail).toMatchObject({ queued: 3, sent: 2, status: 'flowing' });
    expect(stats.funnel.signups).toBe(0);
  });

  it('never mails an address already confirmed, and counts its mail in the per-address cap', async () => {
    const t = await testApp({ ...adminEnv, IMPORT_RECONFIRM_PER_HOUR: '3600000' });
    await confirmed(t, 'known@example.com');
    // Three confirmation mails to one mailbox within 24 hours fill its cap.
    for (const list of ['one', 'two']) {
      await makeList(t, list);
      t.clock.advance(16 * 60_000);
      await t.app.request(`/lists/${list}/subscribe`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'capped@example.com' }) }, { clientIp: nextIp() });
    }
    t.clock.advance(16 * 60_000);
    await t.app.request('/lists/newsletter/subscribe', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'capped@example.com' }) }, { clientIp: nextIp() });
    await t.deliver();
    const before = t.mailer.sent.length;
    await makeList(t, 'fresh');
    t.clock.advance(16 * 60_000);
    const res = await runImport(t, { mode: 'reconfirm' }, 'email\nknown@example.com\ncapped@example.com\nnew@example.com\n', { list: 'fresh' });
    expect(res.body).toMatchObject({ imported: 3, mails_queued: 2 });
    t.clock.advance(1000);
    await t.deliver();
    expect(t.mailer.sent.slice(before).map((m) => m.to).sort()).toEqual(['known@example.com', 'new@example.com']);
    const again = await runImport(t, { mode: 'reconfirm' }, 'email\nknown@example.com\n');
    expect(again.body).toMatchObject({ imported: 0, skipped: { already: 1 }, mails_queued: 0 });
    await t.deliver();
    expect(t.mailer.sent.slice(before).filter((m) => m.to === 'known@example.com')).toHaveLength(1);
  });

  it('sends imported rows no reminder, where a signup on the same list gets one', async () => {
    const t = await testApp(adminEnv);
    await makeList(t, 'reminded', { reminderAfterHours: 1 });
    await runImport(t, { mode: 'reconfirm' }, 'email\nimported@example.com\n', { list: 'reminded' });
    await t.app.request('/lists/reminded/subscribe', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'signed@example.com' }) }, { clientIp: nextIp() });
    await t.deliver();
    t.clock.advance(2 * 3600_000);
    await queueDueReminders(t.deps);
    await t.deliver();
    expect(t.mailer.sent.map((m) => m.to).sort()).toEqual(['imported@example.com', 'signed@example.com', 'signed@example.com']);
  });

  it('holds the rest of its mail back once its bounces cross the review level, and says so in the stats', async () => {
    const t = await testApp({ ...adminEnv, IMPORT_RECONFIRM_PER_HOUR: '60' });
    const events = await makeKey(t, ['events']);
    await runImport(t, { mode: 'reconfirm' }, csvOf(80, 'old'));
    t.clock.advance(59 * 60_000);
    while ((await t.deliver()).sent > 0);
    expect(t.mailer.sent).toHaveLength(60);
    for (const i of [1, 2, 3]) {
      const res = await api(t, 'POST', '/v1/events', events.key, { type: 'bounce', email: `old${i}@example.com`, bounce_type: 'permanent' });
      expect(res.status).toBe(200);
    }
    const stats = (await (await api(t, 'GET', '/v1/lists/newsletter/stats')).json()) as Json;
    expect(stats.imports[0].mail).toMatchObject({ queued: 80, sent: 60, bounces: 3, status: 'held', held_reason: 'bounce' });
    t.clock.advance(60 * 60_000);
    await t.deliver();
    expect(t.mailer.sent).toHaveLength(60);
    expect(count(t, 'outbox', "state = 'queued'")).toBe(0);
  });
});

describe('POST /v1/lists/{list}/imports?mode=suppress', () => {
  it('suppresses every row on every list, a confirmed subscriber included, whatever the source marks', async () => {
    const t = await testApp(adminEnv);
    await confirmed(t, 'was-here@example.com');
    const file = 'Email Address,First Name,Last Name,UNSUB_TIME\nwas-here@example.com,W,H,2023-01-01 00:00:00\nnever-here@example.com,N,H,2023-01-01 00:00:00\ntypo@gmial.com,T,Y,\n';
    const res = await runImport(t, { mode: 'suppress' }, file);
    expect(res.body).toMatchObject({ mode: 'suppress', imported: 3, skipped: { unsubscribed: 0, invalid: 0 } });
    expect(subscriptionRow(t, 'was-here@example.com').state).toBe('suppressed');
    expect((await feed(t, 1)).map((e) => e.type)).toEqual(['confirmed', 'suppressed']);
    // Suppression events are never silent: a mailer must stop mailing the address.
    expect(count(t, 'changes', "type = 'suppressed' AND silent = 0")).toBe(1);
    const mails = t.mailer.sent.length;
    await t.app.request('/lists/newsletter/subscribe', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'never-here@example.com' }) }, { clientIp: nextIp() });
    await t.deliver();
    expect(t.mailer.sent.length).toBe(mails);
    const again = await runImport(t, { mode: 'suppress' }, file);
    expect(again.body).toMatchObject({ imported: 0, skipped: { suppressed: 3 } });
  });

  it('needs a key that is not limited to lists', async () => {
    const t = await testApp(adminEnv);
    const limited = await makeKey(t, ['admin'], ['newsletter']);
    expect((await runImport(t, { mode: 'suppress' }, csvOf(1), { key: limited.key })).status).toBe(403);
    expect((await runImport(t, confirmedMode, csvOf(1), { key: limited.key })).status).toBe(200);
    expect((await runImport(t, confirmedMode, csvOf(1), { key: (await makeKey(t, ['export'])).key })).status).toBe(403);
    expect(count(t, 'suppressions')).toBe(0);
  });
});

describe('the import route', () => {
  it('refuses other content types, files without an email column, unknown lists and missing keys', async () => {
    const t = await testApp(adminEnv);
    expect((await runImport(t, confirmedMode, '[]', { type: 'application/json' })).status).toBe(415);
    const noEmail = await runImport(t, confirmedMode, 'name,city\nAda,London\n');
    expect(noEmail.status).toBe(422);
    expect(noEmail.body.errors[0].code).toBe('no_email_column');
    expect((await runImport(t, confirmedMode, csvOf(1), { list: 'nope' })).status).toBe(404);
    expect((await runImport(t, confirmedMode, csvOf(1), { key: null })).status).toBe(401);
    expect((await runImport(t, { mode: 'everything' as 'confirmed' }, csvOf(1))).status).toBe(422);
    expect(count(t, 'subscriptions')).toBe(0);
  });

  it('takes bodies past the small-body limit up to IMPORT_MAX_BYTES', async () => {
    const t = await testApp({ ...adminEnv, IMPORT_MAX_BYTES: '40000' });
    const big = csvOf(2000);
    expect(big.length).toBeGreaterThan(t.deps.config.MAX_BODY_BYTES);
    expect((await runImport(t, confirmedMode, big.slice(0, 30_000).replace(/\n[^\n]*$/, '\n'))).status).toBe(200);
    expect((await runImport(t, confirmedMode, big)).status).toBe(413);
  });

  it('stops at IMPORT_MAX_ROWS_PER_REQUEST with 413 and the report of the rows it took; the rest follows in another request', async () => {
    const t = await testApp({ ...adminEnv, IMPORT_MAX_ROWS_PER_REQUEST: '5' });
    const rows = csvOf(8).trimEnd().split('\n');
    const first = await runImport(t, confirmedMode, `${rows.join('\n')}\n`);
    expect(first.status).toBe(413);
    expect(first.body.report).toMatchObject({ rows: 5, imported: 5 });
    const rest = await runImport(t, confirmedMode, `${[rows[0], ...rows.slice(6)].join('\n')}\n`);
    expect(rest.body).toMatchObject({ rows: 3, imported: 3 });
    expect(count(t, 'subscriptions', "state = 'confirmed'")).toBe(8);
  });

  it('answers a CSV it cannot read with 422 and the report of the chunks written before, never 500', async () => {
    const t = await testApp(adminEnv);
    const broken = await runImport(t, confirmedMode, `${csvOf(600)}"unclosed@example.com,never ends\n`);
    expect(broken.status).toBe(422);
    expect(broken.body.errors[0].code).toBe('malformed_csv');
    expect(broken.body.report.imported).toBe(count(t, 'subscriptions'));
    // Bytes that are no CSV have no email column: refused before an import is even recorded.
    expect((await runImport(t, confirmedMode, new Uint8Array([0xff, 0xfe, 0x00, 0x01, 0x0a, 0x80]))).status).toBe(422);
    const listed = (await (await api(t, 'GET', '/v1/lists/newsletter/imports')).json()) as Json;
    expect(listed.data.map((i: Json) => i.state)).toEqual(['failed']);
  });

  it('reads NDJSON with the same columns', async () => {
    const t = await testApp(adminEnv);
    const body = ['{"email":"nd@example.com","name":"Nd Json","subscribed_to_emails":true}', '', '{"email":"off@example.com","subscribed_to_emails":false}', 'not json', '[1,2]'].join('\n');
    const res = await runImport(t, confirmedMode, body, { type: 'application/x-ndjson' });
    expect(res.body).toMatchObject({ format: 'ghost', rows: 4, imported: 1, skipped: { unsubscribed: 1, invalid: 2 } });
    expect(res.body.errors).toEqual([
      { line: 4, email: '', code: 'unreadable_row' },
      { line: 5, email: '', code: 'unreadable_row' },
    ]);
    expect(subscriptionRow(t, 'nd@example.com').name).toBe('Nd Json');
  });

  it('imports 100,000 rows whole', { timeout: 240_000 }, async () => {
    const t = await testApp(adminEnv);
    const res = await runImport(t, confirmedMode, csvOf(100_000, 'bulk', 'example.org'));
    expect(res.body).toMatchObject({ rows: 100_000, imported: 100_000, errors: [] });
    expect(count(t, 'subscriptions', "state = 'confirmed'")).toBe(100_000);
    expect(count(t, 'changes', "type = 'confirmed'")).toBe(100_000);
    expect((t.sqlite.sqlite.prepare('SELECT count_confirmed AS n FROM lists WHERE slug = ?').get('newsletter') as Json).n).toBe(100_000);
  });
});
