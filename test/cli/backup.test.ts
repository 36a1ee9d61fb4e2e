import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { listgate } from '../support/cli';
import { scratch } from '../support/scratch';
import { startNodeEntry } from '../support/server-process';

const LISTENING = /listening on http:\/\/127\.0\.0\.1:(\d+)/;
const temp = scratch('listgate-backup');
const tempDir = () => temp.dir();
async function server(DATABASE_PATH: string) {
  const p = temp.track(startNodeEntry({ PORT: '0', DATABASE_PATH, RATE_LIMIT_SIGNUP_BURST: '100000', RATE_LIMIT_SIGNUP_PER_MINUTE: '100000', LOG_LEVEL: 'warn' }));
  return { p, base: `http://127.0.0.1:${(await p.waitFor(LISTENING))[1]}` };
}
const signup = (base: string, email: string) =>
  fetch(`${base}/lists/newsletter/subscribe`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email }) });
const count = (file: string, sql: string) => {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare(sql).get() as { n: number }).n;
  } finally {
    db.close();
  }
};

describe('listgate backup', { timeout: 120_000 }, () => {
  it('completes while the server takes signups without pause, into a folder it creates, and the copy is sound', async () => {
    const dir = tempDir();
    const DATABASE_PATH = join(dir, 'data', 'listgate.db');
    const { base } = await server(DATABASE_PATH);
    let running = true;
    let accepted = 0;
    const writers = Array.from({ length: 4 }, async (_, w) => {
      for (let i = 0; running; i++) if ((await signup(base, `w${w}-${i}@example.com`)).status === 202) accepted++;
    });
    while (accepted < 50) await new Promise((r) => setTimeout(r, 20));
    const target = join(dir, 'backups', 'nightly', 'listgate.db');
    const before = accepted;
    const r = await listgate({ DATABASE_PATH }, 'backup', target);
    const acceptedDuringBackup = accepted - before;
    running = false;
    await Promise.all(writers);
    expect(r.code, r.stderr).toBe(0);
    expect(acceptedDuringBackup).toBeGreaterThan(0); // the server kept writing while the copy was made
    const copy = new Database(target, { readonly: true });
    expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
    const rows = (copy.prepare('SELECT count(*) AS n FROM subscriptions').get() as { n: number }).n;
    copy.close();
    expect(rows).toBeGreaterThanOrEqual(50);
    // Only the copy: no partial file left beside it.
    expect(readdirSync(join(dir, 'backups', 'nightly'))).toEqual(['listgate.db']);
  });

  it('never overwrites without --force, and a backup that fails leaves nothing at the target', async () => {
    const dir = tempDir();
    const target = join(dir, 'out', 'copy.db');
    writeFileSync(join(dir, 'garbage.db'), 'this is not a database, only some text long enough to look like a header'.repeat(100));
    const failed = await listgate({ DATABASE_PATH: join(dir, 'garbage.db') }, 'backup', target);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('backup failed');
    expect(readdirSync(join(dir, 'out'))).toEqual([]);

    writeFileSync(target, 'an older backup');
    const DATABASE_PATH = join(dir, 'listgate.db');
    await listgate({ DATABASE_PATH }, 'lists', 'create', 'weekly', '--name', 'Weekly');
    const refused = await listgate({ DATABASE_PATH }, 'backup', target);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('--force');
    expect(readFileSync(target, 'utf8')).toBe('an older backup');
    expect((await listgate({ DATABASE_PATH }, 'backup', target, '--force')).code).toBe(0);
    expect(count(target, "SELECT count(*) AS n FROM lists WHERE slug = 'weekly'")).toBe(1);
  });
});

describe('listgate restore', { timeout: 120_000 }, () => {
  it('refuses while a server runs, asks first, then puts the backup in place and keeps the old database beside it', async () => {
    const dir = tempDir();
    const DATABASE_PATH = join(dir, 'listgate.db');
    const backup = join(dir, 'before.db');
    const first = await server(DATABASE_PATH);
    expect((await signup(first.base, 'kept@example.com')).status).toBe(202);
    expect((await listgate({ DATABASE_PATH }, 'backup', backup)).code).toBe(0);
    expect((await signup(first.base, 'after-backup@example.com')).status).toBe(202);

    const running = await listgate({ DATABASE_PATH }, 'restore', backup, '--yes');
    expect(running.code).toBe(1);
    expect(running.stderr).toContain('stop it first');
    expect(await first.p.stop()).toBe(0);

    const unasked = await listgate({ DATABASE_PATH }, 'restore', backup);
    expect(unasked.code).toBe(2);
    expect((await listgate({ DATABASE_PATH }, 'restore', join(dir, 'nothing.db'), '--yes')).code).toBe(1);

    const restored = await listgate({ DATABASE_PATH }, 'restore', backup, '--yes');
    expect(restored.code, restored.stderr).toBe(0);
    const kept = readdirSync(dir).find((f) => f.startsWith('listgate.db.before-restore-'))!;
    expect(count(join(dir, kept), 'SELECT count(*) AS n FROM subscriptions')).toBe(2);

    // The server starts on the restored database: what came after the backup is gone.
    const second = await server(DATABASE_PATH);
    expect((await fetch(`${second.base}/healthz`)).status).toBe(200);
    await second.p.stop();
    expect(count(DATABASE_PATH, "SELECT count(*) AS n FROM subscriptions WHERE email = 'kept@example.com'")).toBe(1);
    expect(count(DATABASE_PATH, "SELECT count(*) AS n FROM subscriptions WHERE email = 'after-backup@example.com'")).toBe(0);
    expect(existsSync(`${DATABASE_PATH}.restoring-${process.pid}`)).toBe(false);
  });

  it('refuses a file that is not a listgate database, and changes nothing', async () => {
    const dir = tempDir();
    const DATABASE_PATH = join(dir, 'listgate.db');
    await listgate({ DATABASE_PATH }, 'lists', 'create', 'weekly', '--name', 'Weekly');
    const other = new Database(join(dir, 'other.db'));
    other.exec('CREATE TABLE t (x)');
    other.close();
    const r = await listgate({ DATABASE_PATH }, 'restore', join(dir, 'other.db'), '--yes');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('not a listgate database');
    expect(count(DATABASE_PATH, "SELECT count(*) AS n FROM lists WHERE slug = 'weekly'")).toBe(1);
  });
});
