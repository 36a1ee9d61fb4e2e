import { describe, expect, it } from 'vitest';
import { suppressions } from '../../../src/db/schema';
import { addressHash } from '../../../src/domain/ids';
import { testApp } from '../../support/app';
import { confirmed, count, pendingSignup, snapshot, subscriptionRow } from '../../support/flow';
import { ADMIN, adminEnv, api, makeList } from '../../support/operator';
import { findList } from '../../../src/db/queries/lists';
import { importList } from '../../../src/services/import';
import { csvOf } from '../../support/imports';
import { runImport } from '../../support/imports-node';

const confirmedMode = { mode: 'confirmed', consent_source: 'signup form with double opt-in' } as const;

/** A list where every skip reason has its address, and a file naming each (line numbers in comments). */
async function listWithHistory() {
  const t = await testApp(adminEnv);
  await api(t, 'POST', '/v1/suppressions', ADMIN, { email: 'sup@example.com' });
  await confirmed(t, 'erased@example.com');
  await api(t, 'DELETE', '/v1/subscribers/erased@example.com');
  await confirmed(t, 'unsub@example.com');
  await api(t, 'POST', '/v1/lists/newsletter/subscribers/unsub@example.com/unsubscribe');
  await pendingSignup(t, 'pend@example.com');
  await confirmed(t, 'conf@example.com');
  // A suppression from before mailboxes were folded: the hash of the address as typed.
  await t.deps.db.insert(suppressions).values({ hash: await addressHash(t.deps.hashKey, 'first.last+news@gmail.com'), email: null, reason: 'hard_bounce', createdAt: 1 });
  const file = [
    'email,name,note', //                               1
    'sup@example.com,Suppressed', //                   2 suppressed
    'ERASED@example.com,Erased', //                    3 erased (any case)
    'unsub@example.com,Unsubscribed', //               4 unsubscribed
    'pend@example.com,Pending', //                     5 already
    'conf@example.com,Confirmed', //                   6 already
    'not-an-address,Nobody', //                        7 invalid
    'typo@gmial.com,Typo', //                          8 invalid (typo)
    '=cmd@example.com,Formula', //                     9 invalid
    'name@example.com,"\u202Eevil"', //                10 invalid name
    'fresh@example.com,Fresh,"Multi', //               11 imported, its note spans two lines
    'Line"', //                                        12
    'FRESH@example.com,Again', //                      13 duplicate
    'j.o.e@gmail.com,Joe', //                          14 imported
    'jo.e+news@gmail.com,Joe again', //                15 duplicate: the same mailbox
    'first.last+news@gmail.com,Legacy', //             16 suppressed (legacy hash)
    'new@example.com,New', //                          17 imported
  ].join('\r\n');
  return { t, file };
}

describe('what an import never does', () => {
  it('skips each kind of address and counts it, never bringing one back', async () => {
    const { t, file } = await listWithHistory();
    const before = { pend: subscriptionRow(t, 'pend@example.com'), conf: subscriptionRow(t, 'conf@example.com'), unsub: subscriptionRow(t, 'unsub@example.com') };
    const mails = t.mailer.sent.length;
    const res = await runImport(t, confirmedMode, file);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ rows: 15, imported: 3, skipped: { suppressed: 2, erased: 1, unsubscribed: 1, already: 2, invalid: 4, duplicate: 2 } });
    expect(res.body.errors).toEqual([
      { line: 7, email: 'not-an-address', code: 'invalid' },
      { line: 8, email: 'typo@gmial.com', code: 'typo', suggestion: 'typo@gmail.com' },
      { line: 9, email: '=cmd@example.com', code: 'invalid' },
      { line: 10, email: 'name@example.com', code: 'invalid_name' },
      { line: 13, email: 'FRESH@example.com', code: 'duplicate' },
      { line: 15, email: 'jo.e+news@gmail.com', code: 'duplicate' },
    ]);
    expect(subscriptionRow(t, 'fresh@example.com').name).toBe('Fresh');
    // Left as they were: state, signup, evidence.
    expect(subscriptionRow(t, 'pend@example.com')).toEqual(before.pend);
    expect(subscriptionRow(t, 'conf@example.com')).toEqual(before.conf);
    expect(subscriptionRow(t, 'unsub@example.com')).toEqual(before.unsub);
    expect(count(t, 'subscriptions', "key IN ('sup@example.com', 'erased@example.com', 'first.last+news@gmail.com')")).toBe(0);
    expect(t.mailer.sent.length).toBe(mails);
  });

  it('skips rows the source marks as gone as unsubscribed', async () => {
    const t = await testApp(adminEnv);
    const file = 'email,status\nin@example.com,enabled\nout@example.com,blocklisted\nbye@example.com,unsubscribed\ncleaned@example.com,cleaned\n';
    const res = await runImport(t, confirmedMode, file);
    expect(res.body).toMatchObject({ imported: 1, skipped: { unsubscribed: 3 } });
    expect(count(t, 'subscriptions')).toBe(1);
  });

  it('refuses disposable domains where the list does, as its signups do', async () => {
    const t = await testApp(adminEnv);
    await makeList(t, 'strict', { blockDisposable: true });
    const file = 'email\nthrowaway@mailinator.com\nreal@example.com\n';
    const strict = await runImport(t, confirmedMode, file, { list: 'strict' });
    expect(strict.body).toMatchObject({ imported: 1, skipped: { invalid: 1 } });
    expect(strict.body.errors).toEqual([{ line: 2, email: 'throwaway@mailinator.com', code: 'disposable' }]);
    expect((await runImport(t, confirmedMode, file)).body.imported).toBe(2);
  });

  it('refuses names as a signup does: too long, or starting like a formula', async () => {
    const t = await testApp(adminEnv);
    const res = await runImport(t, confirmedMode, `email,name\nlong@example.com,${'x'.repeat(201)}\nsum@example.com,=SUM(A1)\nfine@example.com,${'x'.repeat(200)}\n`);
    expect(res.body).toMatchObject({ imported: 1, skipped: { invalid: 2 } });
    expect(res.body.errors.map((e: { code: string }) => e.code)).toEqual(['invalid_name', 'invalid_name']);
  });

  it('writes nothing on a dry run, and reports what the real run then does', async () => {
    const { t, file } = await listWithHistory();
    const before = snapshot(t);
    const dry = await runImport(t, { ...confirmedMode, dry_run: '1' }, file);
    expect(dry.status).toBe(200);
    expect(snapshot(t)).toBe(before);
    expect(count(t, 'imports')).toBe(0);
    const real = await runImport(t, confirmedMode, file);
    expect(dry.body).toEqual({ ...real.body, id: null, dry_run: true });
  });

  it('is safe to run again: the second run imports nothing and changes nothing', async () => {
    const { t, file } = await listWithHistory();
    const first = await runImport(t, { mode: 'reconfirm' }, file);
    expect(first.body.imported).toBe(3);
    await t.deliver();
    const afterFirst = snapshot(t);
    const second = await runImport(t, { mode: 'reconfirm' }, file);
    // Rows the first run imported are on the list now: `already`, however often the file names them.
    expect(second.body).toMatchObject({ imported: 0, mails_queued: 0, skipped: { already: 7, duplicate: 0 } });
    const unchanged = (s: string) => JSON.parse(s, (k, v) => (k === 'imports' ? undefined : v));
    expect(unchanged(snapshot(t))).toEqual(unchanged(afterFirst));
  });

  it('waits out another writer\'s lock: a chunk refused as busy is written again, once', async () => {
    const t = await testApp(adminEnv);
    let refusals = 1;
    const atomic: typeof t.deps.atomic = async (build) => {
      if (refusals-- > 0) throw Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
      return t.deps.atomic(build);
    };
    const list = (await findList(t.deps.db, 'newsletter'))!;
    const body = new Blob([csvOf(3)]).stream();
    const report = await importList({ ...t.deps, atomic }, list, body, { ...confirmedMode, consentSource: confirmedMode.consent_source, notify: false, dryRun: false, kind: 'csv', actor: 'test' });
    expect(report).toMatchObject({ imported: 3, state: 'done' });
    expect(count(t, 'subscriptions')).toBe(3);
    expect(count(t, 'changes')).toBe(3);
  });
});
