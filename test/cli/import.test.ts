import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { openSqlite } from '../../src/db/sqlite';
import { jsonLogger } from '../../src/logger';
import { prepareInstallation } from '../../src/services/installation';
import { served, testApp } from '../support/app';
import { listgate } from '../support/cli';
import { csvOf } from '../support/imports';
import { ADMIN, adminEnv, parseCsv } from '../support/operator';

let dir: string;
beforeAll(() => void (dir = mkdtempSync(join(tmpdir(), 'listgate-cli-import-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A database the server has run on once (it holds the installation's keys). */
async function serverDatabase(name: string): Promise<string> {
  const path = join(dir, `${name}.db`);
  const handle = openSqlite(path);
  await prepareInstallation(handle.db, loadConfig({ LOG_LEVEL: 'silent' }), { now: () => Date.now() }, jsonLogger('silent'));
  handle.close();
  return path;
}

const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

// Each spawn loads tsx (about a second), hence the longer timeout.
describe('npx listgate import', { timeout: 120_000 }, () => {
  it('imports into DATABASE_PATH with progress on stderr, the report on stdout and every refused row in --errors', async () => {
    const db = await serverDatabase('local');
    const csv = file('people.csv', `${csvOf(300)}not-an-address,Nobody\n=cmd@example.com,Formula\n`);
    const errors = join(dir, 'errors.csv');
    const run = await listgate({ DATABASE_PATH: db }, 'import', 'newsletter', csv, '--mode', 'confirmed', '--consent-source', 'signup form', '--errors', errors);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ mode: 'confirmed', rows: 302, imported: 300, skipped: { invalid: 2 } });
    expect(run.stderr).toMatch(/rows\/s ETA/);
    expect(run.stderr).toContain('imported 300');
    expect(parseCsv(readFileSync(errors, 'utf8'))).toEqual([
      ['line', 'email', 'code', 'suggestion'],
      ['302', 'not-an-address', 'invalid', ''],
      ['303', "'=cmd@example.com", 'invalid', ''],
    ]);
    const sqlite = new Database(db, { readonly: true });
    expect((sqlite.prepare("SELECT count(*) AS n FROM subscriptions WHERE state = 'confirmed'").get() as { n: number }).n).toBe(300);
    sqlite.close();
    const dry = await listgate({ DATABASE_PATH: db }, 'import', 'newsletter', csv, '--mode', 'confirmed', '--consent-source', 'signup form', '--dry-run');
    expect(JSON.parse(dry.stdout)).toMatchObject({ dry_run: true, imported: 0, skipped: { already: 300, invalid: 2 } });
  });

  it('refuses a confirmed import without --consent-source (2) and an unknown list (1)', async () => {
    const db = await serverDatabase('usage');
    const csv = file('one.csv', csvOf(1));
    expect((await listgate({ DATABASE_PATH: db }, 'import', 'newsletter', csv, '--mode', 'confirmed')).code).toBe(2);
    const unknown = await listgate({ DATABASE_PATH: db }, 'import', 'nope', csv, '--mode', 'reconfirm');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no list "nope"');
  });

  it('splits a file for a remote server into requests of --rows-per-request rows and gives lines of the file', async () => {
    const t = await testApp({ ...adminEnv, IMPORT_MAX_ROWS_PER_REQUEST: '3' });
    const server = await served(t);
    try {
      const csv = file('remote.csv', 'email,name,note\na@example.com,A,"two\nlines"\nb@example.com,B,\nc@example.com,C,\nbad,D,\ne@example.com,E,\nb@example.com,B again,\ng@example.com,G,\n');
      const run = await listgate({}, 'import', 'newsletter', csv, '--mode', 'confirmed', '--consent-source', 'form', '--server', server.base, '--key', ADMIN, '--rows-per-request', '3');
      expect(run.code, run.stderr).toBe(0);
      const report = JSON.parse(run.stdout);
      expect(report).toMatchObject({ rows: 7, imported: 5, skipped: { invalid: 1, already: 1 } });
      expect(report.ids).toHaveLength(3);
      expect(report.errors).toEqual([{ line: 6, email: 'bad', code: 'invalid' }]);
      const over = await listgate({}, 'import', 'newsletter', csv, '--mode', 'confirmed', '--consent-source', 'form', '--server', server.base, '--key', ADMIN, '--rows-per-request', '4');
      expect(over.code).toBe(1);
      expect(over.stderr).toContain('413');
    } finally {
      await server.close();
    }
  });
});
