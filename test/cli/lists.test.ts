import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { findList, putList } from '../../src/db/queries/lists';
import { openSqlite } from '../../src/db/sqlite';
import { listSettingsSchema } from '../../src/domain/list-settings';
import { settingsInputOf, toListSettings } from '../../src/services/lists';
import { listgate } from '../support/cli';
import { scratch } from '../support/scratch';

const temp = scratch('listgate-cli-lists');
const database = () => join(temp.dir(), 'listgate.db');
const show = async (DATABASE_PATH: string, slug: string) => JSON.parse((await listgate({ DATABASE_PATH }, 'lists', 'show', slug)).stdout);

describe('listgate lists update', { timeout: 120_000 }, () => {
  it('changes every field the options name, leaves the others (secrets included) as they are, and "" clears', async () => {
    const DATABASE_PATH = database();
    expect((await listgate({ DATABASE_PATH }, 'lists', 'create', 'weekly', '--name', 'Weekly', '--turnstile-site-key', 'site-1', '--turnstile-secret', 'secret-1')).code).toBe(0);
    const r = await listgate(
      { DATABASE_PATH },
      'lists', 'update', 'weekly',
      '--from', 'News <news@example.com>',
      '--language', 'ja',
      '--redirect-pending', 'https://example.com/pending',
      '--redirect-confirmed', 'https://example.com/thanks',
      '--allowed-origin', 'https://example.com', '--allowed-origin', 'https://www.example.com',
      '--check-mx',
      '--block-disposable',
    );
    expect(r.code, r.stderr).toBe(0);
    expect(await show(DATABASE_PATH, 'weekly')).toMatchObject({
      name: 'Weekly',
      from: 'News <news@example.com>',
      language: 'ja',
      redirect_pending: 'https://example.com/pending',
      redirect_confirmed: 'https://example.com/thanks',
      allowed_origins: ['https://example.com', 'https://www.example.com'],
      turnstile_site_key: 'site-1',
      turnstile_secret_set: true,
      check_mx: true,
      block_disposable: true,
    });

    expect((await listgate({ DATABASE_PATH }, 'lists', 'update', 'weekly', '--name', 'Weekly News', '--from', '', '--no-check-mx', '--no-allowed-origins', '--turnstile-secret', '', '--turnstile-site-key', '')).code).toBe(0);
    expect(await show(DATABASE_PATH, 'weekly')).toMatchObject({
      name: 'Weekly News',
      from: null,
      language: 'ja',
      allowed_origins: [],
      turnstile_site_key: null,
      turnstile_secret_set: false,
      check_mx: false,
      block_disposable: true,
    });

    // Fields without an option of their own go in as JSON, validated like PUT /v1/lists/{list}.
    expect((await listgate({ DATABASE_PATH }, 'lists', 'update', 'weekly', '--settings', '{"language":"en"}')).code).toBe(0);
    expect((await show(DATABASE_PATH, 'weekly')).language).toBe('en');
  });

  it('refuses what PUT /v1/lists/{list} refuses (exit 2), an unknown list (exit 1), and nothing to change (exit 2)', async () => {
    const DATABASE_PATH = database();
    await listgate({ DATABASE_PATH }, 'lists', 'create', 'weekly', '--name', 'Weekly');
    const bad = await listgate({ DATABASE_PATH }, 'lists', 'update', 'weekly', '--redirect-pending', 'javascript:alert(1)');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--redirect-pending');
    expect((await listgate({ DATABASE_PATH }, 'lists', 'update', 'weekly', '--settings', '{"nonsense":1}')).code).toBe(2);
    expect((await listgate({ DATABASE_PATH }, 'lists', 'update', 'weekly', '--settings', 'not json')).code).toBe(2);
    expect((await listgate({ DATABASE_PATH }, 'lists', 'update', 'weekly')).code).toBe(2);
    expect((await listgate({ DATABASE_PATH }, 'lists', 'update', 'monthly', '--name', 'M')).code).toBe(1);
    expect((await show(DATABASE_PATH, 'weekly')).redirect_pending).toBeNull();
  });

  it('merges over every stored field: a stored list read back as settings saves to the same columns', async () => {
    const h = openSqlite(':memory:');
    const settings = listSettingsSchema.parse({
      name: 'All',
      from: 'A <a@example.com>',
      language: 'ja',
      redirect_pending: 'https://example.com/p',
      redirect_confirmed: 'https://example.com/c',
      allowed_origins: ['https://example.com'],
      turnstile_site_key: 'k',
      turnstile_secret: 's',
      check_mx: true,
      block_disposable: true,
    });
    await putList(h.db, 'all', await toListSettings(settings), 0);
    const list = (await findList(h.db, 'all'))!;
    expect(Object.keys(settingsInputOf(list)).sort()).toEqual(Object.keys(listSettingsSchema.shape).sort());
    expect(await toListSettings(listSettingsSchema.parse(settingsInputOf(list)))).toEqual(await toListSettings(settings));
    h.close();
  });
});

describe('listgate lists delete', { timeout: 60_000 }, () => {
  it('asks first: without --yes and without a terminal it refuses (exit 2) and changes nothing', async () => {
    const DATABASE_PATH = database();
    await listgate({ DATABASE_PATH }, 'lists', 'create', 'weekly', '--name', 'Weekly');
    const r = await listgate({ DATABASE_PATH }, 'lists', 'delete', 'weekly');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--yes');
    expect((await listgate({ DATABASE_PATH }, 'lists', 'show', 'weekly')).code).toBe(0);
  });

  it('with --yes removes the list (the same removal as DELETE /v1/lists/{list})', async () => {
    const DATABASE_PATH = database();
    await listgate({ DATABASE_PATH }, 'lists', 'create', 'weekly', '--name', 'Weekly');
    const r = await listgate({ DATABASE_PATH }, 'lists', 'delete', 'weekly', '--yes');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('removed list weekly');
    expect((await listgate({ DATABASE_PATH }, 'lists', 'show', 'weekly')).code).toBe(1);
    const audit = new Database(DATABASE_PATH, { readonly: true });
    expect(audit.prepare("SELECT actor, target FROM audit_log WHERE action = 'list.delete'").all()).toEqual([{ actor: 'cli', target: 'weekly' }]);
    audit.close();
  });
});

describe('the confirmation mail from the command line', { timeout: 120_000 }, () => {
  it('sets the mail\'s words one by one, queues a test mail, and prints the funnel', async () => {
    const DATABASE_PATH = database();
    expect((await listgate({ DATABASE_PATH }, 'lists', 'create', 'weekly', '--name', 'Weekly', '--mail-subject', 'Hello {{list_name}}', '--mail-button', 'Go')).code).toBe(0);
    const r = await listgate({ DATABASE_PATH }, 'lists', 'update', 'weekly', '--mail-intro', 'Two\n\nparagraphs', '--reply-to', 'ed@example.com', '--mail-footer', 'From us', '--consent-text', 'We mail weekly.', '--reminder-after-hours', '24');
    expect(r.code, r.stderr).toBe(0);
    expect(await show(DATABASE_PATH, 'weekly')).toMatchObject({
      confirmation_mail: { subject: 'Hello {{list_name}}', intro: 'Two\n\nparagraphs', button: 'Go' },
      reply_to: 'ed@example.com',
      mail_footer: 'From us',
      consent_text: 'We mail weekly.',
      reminder_after_hours: 24,
    });
    expect((await listgate({ DATABASE_PATH }, 'lists', 'update', 'weekly', '--mail-subject', '')).code).toBe(0);
    expect((await show(DATABASE_PATH, 'weekly')).confirmation_mail).toEqual({ intro: 'Two\n\nparagraphs', button: 'Go' });
    expect((await listgate({ DATABASE_PATH }, 'lists', 'update', 'weekly', '--reminder-after-hours', '48')).code).toBe(2);

    const sent = await listgate({ DATABASE_PATH }, 'lists', 'test-mail', 'weekly', 'Operator@Example.com');
    expect(sent.code, sent.stderr).toBe(0);
    expect(sent.stdout).toContain('Operator@example.com');
    const h = openSqlite(DATABASE_PATH);
    expect(h.sqlite.prepare("SELECT kind, to_addr AS \"to\", state FROM outbox").all()).toEqual([{ kind: 'test', to: 'Operator@example.com', state: 'queued' }]);
    h.close();
    expect((await listgate({ DATABASE_PATH }, 'lists', 'test-mail', 'nosuch', 'a@example.com')).code).toBe(1);
    expect((await listgate({ DATABASE_PATH }, 'lists', 'test-mail', 'weekly', 'not an address')).code).toBe(1);

    const stats = await listgate({ DATABASE_PATH }, 'stats', 'weekly', '--days', '7');
    expect(stats.code, stats.stderr).toBe(0);
    expect(stats.stdout).toContain('signups of the last 7 days: 0');
    expect(stats.stdout).toMatch(/PROVIDER\s+SIGNUPS\s+CONFIRMED\s+RATE/);
    expect(stats.stdout.match(/^\d{4}-\d\d-\d\d /gm)).toHaveLength(7);
    const json = JSON.parse((await listgate({ DATABASE_PATH }, 'stats', 'weekly', '--json')).stdout);
    expect(json.funnel).toMatchObject({ days: 30, signups: 0, median_seconds_to_confirm: null });
    expect((await listgate({ DATABASE_PATH }, 'stats', 'weekly', '--days', '0')).code).toBe(2);
  });
});
