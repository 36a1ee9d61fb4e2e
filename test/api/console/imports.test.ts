import { describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../../support/app';
import { consoleGet, consoleUpload, signIn } from '../../support/console';
import { confirmed } from '../../support/flow';
import { csvOf } from '../../support/imports';
import { adminEnv, apiKey, makeKey, makeList } from '../../support/operator';

const PATH = '/admin/lists/newsletter/imports';
const n = (t: TestApp, sql: string) => (t.sqlite.sqlite.prepare(sql).get() as { n: number }).n;
const csv = (text: string, name = 'people.csv') => ({ name, text });

async function setUp() {
  const t = await testApp(adminEnv);
  return { t, s: await signIn(t) };
}

describe('console: importing a file into a list', () => {
  it('imports confirmed rows with their consent source, shows the report, and lists the import', async () => {
    const { t, s } = await setUp();
    const res = await consoleUpload(t, s, PATH, { mode: 'confirmed', consent_source: 'Mailchimp double opt-in, 2020' }, csv(csvOf(3)));
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<dd id="report-rows">3</dd>');
    expect(html).toContain('<dd id="report-imported">3</dd>');
    expect(html).toMatch(/The import is done \(imp_[\w-]+\)/);
    expect(n(t, "SELECT count(*) AS n FROM subscriptions WHERE state = 'confirmed'")).toBe(3);
    const page = await (await consoleGet(t, s, PATH)).text();
    expect(page).toContain('Past imports');
    expect(page).toContain('Mailchimp double opt-in, 2020');
    expect(page).toContain('done');
  });

  it('reconfirms: rows become pending, mail is queued, and the import shows its mail (held once its rates cross the review level)', async () => {
    const { t, s } = await setUp();
    const html = await (await consoleUpload(t, s, PATH, { mode: 'reconfirm' }, csv(csvOf(2)))).text();
    expect(html).toMatch(/Confirmation mails queued<\/dt><dd>2<\/dd>/);
    expect(n(t, "SELECT count(*) AS n FROM subscriptions WHERE state = 'pending'")).toBe(2);
    expect(await (await consoleGet(t, s, PATH)).text()).toContain('Mail: 2 queued, 0 sent, 0 bounced, 0 complaints.');
    t.sqlite.sqlite.prepare("UPDATE imports SET mail_held_at = ?, mail_held_reason = 'bounce'").run(t.clock.now());
    expect(await (await consoleGet(t, s, PATH)).text()).toMatch(/held since .*: its bounce rate crossed the SES review level/);
  });

  it('suppresses with a key on every list', async () => {
    const { t, s } = await setUp();
    expect((await consoleUpload(t, s, PATH, { mode: 'suppress' }, csv('email\nspam@example.com\n'))).status).toBe(200);
    expect(n(t, "SELECT count(*) AS n FROM suppressions WHERE email = 'spam@example.com'")).toBe(1);
  });

  it('reports a dry run with the same counts and writes nothing', async () => {
    const { t, s } = await setUp();
    await confirmed(t, 'row0@example.com');
    const before = n(t, 'SELECT count(*) AS n FROM subscriptions');
    const html = await (await consoleUpload(t, s, PATH, { mode: 'confirmed', consent_source: 'form', dry_run: '1' }, csv(csvOf(3)))).text();
    expect(html).toContain('Dry run: nothing was written.');
    expect(html).toContain('<dd id="report-imported">2</dd>');
    expect(html).toMatch(/already on the list<\/dt><dd>1<\/dd>/);
    expect(n(t, 'SELECT count(*) AS n FROM subscriptions')).toBe(before);
    expect(n(t, 'SELECT count(*) AS n FROM imports')).toBe(0);
  });

  it('lists refused rows with their line numbers, and reads NDJSON by its name', async () => {
    const { t, s } = await setUp();
    const html = await (await consoleUpload(t, s, PATH, { mode: 'confirmed', consent_source: 'form' }, csv('email,name\nok@example.com,Ok\nnot-an-address,Bad\nsomeone@gmial.com,Typo\n'))).text();
    expect(html).toMatch(/<td>3<\/td><td class="addr">not-an-address<\/td><td><code>invalid<\/code>/);
    expect(html).toContain('(did you mean someone@gmail.com?)');
    const nd = await (await consoleUpload(t, s, PATH, { mode: 'confirmed', consent_source: 'form' }, { name: 'people.ndjson', text: '{"email":"nd@example.com"}\n', type: 'application/octet-stream' })).text();
    expect(nd).toContain('<dd id="report-imported">1</dd>');
  });

  it('answers bad input with a notice on the page and writes nothing: no file, no mode, no consent source, no address column', async () => {
    const { t, s } = await setUp();
    const cases: Array<[Record<string, string>, ReturnType<typeof csv> | null, string]> = [
      [{ mode: 'confirmed', consent_source: 'form' }, null, 'Choose a file to import.'],
      [{ mode: 'everything', consent_source: 'form' }, csv(csvOf(1)), 'Choose a mode.'],
      [{ mode: 'confirmed' }, csv(csvOf(1)), 'consent_source: Mode confirmed needs consent_source'],
      [{ mode: 'confirmed', consent_source: 'form' }, csv('name,city\nAda,London\n'), 'No email column'],
      [{ mode: 'confirmed', consent_source: 'form' }, csv('email\n"broken,\nx@example.com\n'), 'The CSV cannot be read near line 3'],
    ];
    for (const [fields, file, said] of cases) {
      const res = await consoleUpload(t, s, PATH, fields, file);
      expect(res.status, said).toBe(422);
      const html = await res.text();
      expect(html).toContain('id="import-problem"');
      expect(html).toContain(said);
    }
    expect(n(t, 'SELECT count(*) AS n FROM subscriptions')).toBe(0);
  });

  it('refuses a file over the console’s limit with 413, pointing to the CLI, and writes nothing', async () => {
    const { t, s } = await setUp();
    const res = await consoleUpload(t, s, PATH, { mode: 'confirmed', consent_source: 'form' }, csv(`email,name\nada@example.com,${'A'.repeat(5 * 1024 * 1024)}\n`));
    expect(res.status).toBe(413);
    expect(await res.text()).toContain('npx listgate import');
    expect(n(t, 'SELECT count(*) AS n FROM subscriptions')).toBe(0);
  });

  it('refuses an upload from a foreign Origin or without the CSRF token, and imports nothing', async () => {
    const { t, s } = await setUp();
    for (const opts of [{ origin: 'https://evil.example' }, { origin: null }, { csrf: null }, { csrf: (await signIn(t)).csrf }]) {
      const res = await consoleUpload(t, s, PATH, { mode: 'suppress' }, csv('email\nvictim@example.com\n'), opts);
      expect(res.status, JSON.stringify(opts)).toBe(403);
    }
    expect(n(t, 'SELECT count(*) AS n FROM suppressions')).toBe(0);
    expect(n(t, 'SELECT count(*) AS n FROM imports')).toBe(0);
  });

  it('audits each import under the key’s id; a dry run writes no entry', async () => {
    const { t } = await setUp();
    const { id, key } = await makeKey(t, ['admin']);
    const s = await signIn(t, key);
    await consoleUpload(t, s, PATH, { mode: 'confirmed', consent_source: 'form', dry_run: '1' }, csv(csvOf(2)));
    await consoleUpload(t, s, PATH, { mode: 'confirmed', consent_source: 'form' }, csv(csvOf(2)));
    const rows = t.sqlite.sqlite.prepare("SELECT actor, target, detail FROM audit_log WHERE action = 'list.import'").all() as Array<{ actor: string; target: string; detail: string }>;
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actor: id, target: 'newsletter' });
    expect(JSON.parse(rows[0].detail)).toMatchObject({ mode: 'confirmed', state: 'done', rows: 2, imported: 2 });
  });

  it('gives a key limited to lists its own lists only, and no suppress mode', async () => {
    const { t } = await setUp();
    await makeList(t, 'weekly', { name: 'Weekly' });
    const s = await signIn(t, await apiKey(t, ['admin'], ['weekly']));
    const chooser = await (await consoleGet(t, s, '/admin/imports')).text();
    expect(chooser).toContain('href="/admin/lists/weekly/imports"');
    expect(chooser).not.toContain('/admin/lists/newsletter/imports');
    const page = await (await consoleGet(t, s, '/admin/lists/weekly/imports')).text();
    expect(page).toContain('value="reconfirm"');
    expect(page).not.toContain('value="suppress"');
    expect((await consoleGet(t, s, PATH)).status).toBe(403);
    expect((await consoleUpload(t, s, PATH, { mode: 'confirmed', consent_source: 'form' }, csv(csvOf(1)))).status).toBe(403);
    expect((await consoleUpload(t, s, '/admin/lists/weekly/imports', { mode: 'suppress' }, csv('email\nx@example.com\n'))).status).toBe(403);
    expect((await consoleUpload(t, s, '/admin/lists/weekly/imports', { mode: 'confirmed', consent_source: 'form' }, csv(csvOf(1)))).status).toBe(200);
    expect(n(t, 'SELECT count(*) AS n FROM suppressions')).toBe(0);
    expect(n(t, 'SELECT count(*) AS n FROM subscriptions')).toBe(1);
  });

  it('is linked from the navigation and from the list’s page, in English and Japanese', async () => {
    const { t, s } = await setUp();
    const list = await (await consoleGet(t, s, '/admin/lists/newsletter')).text();
    expect(list).toContain('href="/admin/imports"');
    expect(list).toContain(`href="${PATH}"`);
    const ja = await (await consoleGet(t, s, `${PATH}?lang=ja`)).text();
    expect(ja).toContain('ファイルのアップロード');
  });
});
