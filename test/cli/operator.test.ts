import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openSqlite } from '../../src/db/sqlite';
import { sha256Hex } from '../../src/domain/ids';
import { parseCsv } from '../support/operator';

const root = new URL('../..', import.meta.url).pathname;
let dir: string;
let dbPath: string;

/**
 * Runs `listgate ...` as a user would: a child process on the same database file, from the build
 * (`node dist/listgate.js`, made once for the suite) or, with `fromSource`, as `npx listgate` runs
 * it from a checkout (src/bin.js through tsx, about a second to start).
 */
function run(entry: 'dist/listgate.js' | 'src/bin.js', args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(root, entry), ...args],
      { cwd: root, env: { ...process.env, DATABASE_PATH: dbPath, PUBLIC_URL: 'https://lists.example.org', LOG_LEVEL: 'silent', NODE_ENV: '' }, maxBuffer: 64 << 20 },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}
const listgate = (...args: string[]) => run('dist/listgate.js', args);
const fromSource = (...args: string[]) => run('src/bin.js', args);

beforeAll(() => void (dir = mkdtempSync(join(tmpdir(), 'listgate-cli-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
// Each test gets its own database file.
beforeEach((ctx) => void (dbPath = join(dir, `${ctx.task.id}.db`)));

describe('npx listgate (lists, keys, export, backup)', { timeout: 60_000 }, () => {
  it('creates, lists and shows lists; refuses bad input with exit 2 and a duplicate with exit 1', async () => {
    const created = await fromSource('lists', 'create', 'weekly', '--name', 'Weekly News', '--from', 'News <news@example.com>', '--language', 'ja');
    expect(created.code).toBe(0);
    expect(created.stdout).toContain('created list weekly');
    const shown = await fromSource('lists', 'show', 'weekly');
    expect(JSON.parse(shown.stdout)).toMatchObject({ slug: 'weekly', name: 'Weekly News', from: 'News <news@example.com>', language: 'ja' });
    expect((await fromSource('lists', 'list')).stdout).toMatch(/weekly\s+0\s+0\s+0\s+0\s+Weekly News/);
    expect((await fromSource('lists', 'create', 'weekly', '--name', 'Again')).code).toBe(1);
    const bad = await fromSource('lists', 'create', 'Bad_Slug', '--name', 'x');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('not a valid slug');
    expect((await fromSource('lists', 'create', 'x', '--name', 'x', '--from', 'nope')).code).toBe(2);
    expect((await fromSource('lists', 'create', 'x')).code).toBe(2);
    expect((await fromSource('lists', 'show', 'missing')).code).toBe(1);
  });

  it('creates a key printed once and stored only as its hash, lists it, revokes it', async () => {
    expect((await listgate('lists', 'create', 'weekly', '--name', 'Weekly')).code).toBe(0);
    const made = await listgate('keys', 'create', '--scope', 'export', '--list', 'weekly', '--json');
    expect(made.code, made.stderr).toBe(0);
    const key = JSON.parse(made.stdout) as { id: string; key: string; prefix: string };
    expect(key.key).toMatch(/^lg_/);
    const db = new Database(dbPath, { readonly: true });
    const row = db.prepare('SELECT hash, prefix FROM api_keys WHERE id = ?').get(key.id) as { hash: string; prefix: string };
    db.close();
    expect(row).toEqual({ hash: await sha256Hex(key.key), prefix: key.prefix });
    const listed = await listgate('keys', 'list');
    expect(listed.stdout).toContain(key.id);
    expect(listed.stdout).not.toContain(key.key);
    expect((await listgate('keys', 'revoke', key.id)).code).toBe(0);
    const after = JSON.parse((await listgate('keys', 'list', '--json')).stdout) as Array<{ id: string; revoked_at: string | null }>;
    expect(after.find((k) => k.id === key.id)?.revoked_at).toMatch(/Z$/);
    expect((await listgate('keys', 'revoke', 'key_missing')).code).toBe(1);
    expect((await listgate('keys', 'create', '--scope', 'root')).code).toBe(2);
    expect((await listgate('keys', 'create', '--scope', 'export', '--list', 'missing')).code).toBe(1);
  });

  it('exports confirmed subscribers as CSV or NDJSON to stdout or a file, with a progress line on stderr', async () => {
    const h = openSqlite(dbPath);
    const list = h.sqlite.prepare("INSERT INTO lists (slug, name, created_at, updated_at) VALUES ('exp', 'Exp', 0, 0) RETURNING id").get() as { id: number };
    const insert = h.sqlite.prepare(
      'INSERT INTO subscriptions (list_id, email, key, name, state, signup_id, unsub_token, created_at, updated_at, confirmed_at, confirm_seq, public_id) VALUES (?, ?, ?, ?, ?, ?, ?, 0, 0, ?, ?, \'sub_\' || ?)',
    );
    h.sqlite.transaction(() => {
      for (let i = 1; i <= 7000; i++) insert.run(list.id, `e${i}@example.com`, `e${i}@example.com`, i === 1 ? 'Doe, "J"\r\nr' : null, i % 7 === 0 ? 'pending' : 'confirmed', `cli${i}`, `u_cli${i}`, i * 1000, i % 7 === 0 ? null : i, `cli${i}`);
    })();
    h.close();
    const csv = await listgate('export', 'exp');
    expect(csv.code, csv.stderr).toBe(0);
    const rows = parseCsv(csv.stdout);
    expect(rows).toHaveLength(1 + 6000);
    expect(rows[1]).toEqual(['e1@example.com', 'Doe, "J"\r\nr', '1970-01-01T00:00:01.000Z', 'https://lists.example.org/unsubscribe?token=u_cli1', 'sub_cli1']);
    expect(csv.stderr).toContain('exported 6000 subscribers');

    const file = join(dir, 'exp.ndjson');
    const nd = await listgate('export', 'exp', '--format', 'ndjson', '--out', file);
    expect(nd.code).toBe(0);
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(6000);
    expect(lines[5999].email).toBe('e6999@example.com');
    expect((await listgate('export', 'exp', '--format', 'xml')).code).toBe(2);
    expect((await listgate('export', 'missing')).code).toBe(1);
  });

  it('backs up the database online into a file that opens with every row, while a writer holds it open', async () => {
    const h = openSqlite(dbPath);
    const list = h.sqlite.prepare("INSERT INTO lists (slug, name, created_at, updated_at) VALUES ('b', 'B', 0, 0) RETURNING id").get() as { id: number };
    const insert = h.sqlite.prepare("INSERT INTO subscriptions (list_id, email, key, state, signup_id, unsub_token, created_at, updated_at, public_id) VALUES (?, ?, ?, 'pending', ?, ?, 0, 0, 'sub_' || ?)");
    h.sqlite.transaction(() => {
      for (let i = 1; i <= 7000; i++) insert.run(list.id, `b${i}@example.com`, `b${i}@example.com`, `b${i}`, `u_b${i}`, `b${i}`);
    })();
    const out = join(dir, 'backup.db');
    const res = await listgate('backup', out);
    expect(res.code, res.stderr).toBe(0);
    const copy = new Database(out, { readonly: true });
    const live = new Database(dbPath, { readonly: true });
    const count = (d: Database.Database) => d.prepare('SELECT (SELECT count(*) FROM subscriptions) AS s, (SELECT count(*) FROM lists) AS l, (SELECT count(*) FROM api_keys) AS k').get();
    expect(count(copy)).toEqual(count(live));
    expect((count(copy) as { s: number }).s).toBe(7000);
    copy.close();
    live.close();
    h.close();
    expect((await listgate('backup', out)).code).toBe(1);
    expect((await listgate('backup', out, '--force')).code).toBe(0);
  });

  it('prints help for every command and exits 2 on unknown options', async () => {
    for (const cmd of [[], ['lists', 'create'], ['keys', 'create'], ['export'], ['backup']]) {
      const res = await listgate(...cmd, '--help');
      expect(res.code, cmd.join(' ')).toBe(0);
      expect(res.stdout).toContain('Usage: listgate');
    }
    expect((await listgate('lists', 'list', '--bogus')).code).toBe(2);
  });
});
