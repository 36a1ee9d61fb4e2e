import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { startNodeEntry, type ServerProcess } from '../support/server-process';

const LISTENING = /listening on http:\/\/127\.0\.0\.1:(\d+)/;
const started: ServerProcess[] = [];
const mounts: string[] = [];
const dirs: string[] = [];

afterAll(async () => {
  await Promise.all(started.map((p) => p.stop()));
  for (const m of mounts) execFileSync('umount', [m]);
  for (const d of [...mounts, ...dirs]) rmSync(d, { recursive: true, force: true });
});

async function server(dbPath: string) {
  // The per-client limit is raised: every signup here comes from 127.0.0.1.
  const p = startNodeEntry({ PORT: '0', DATABASE_PATH: dbPath, RATE_LIMIT_SIGNUP_BURST: '1000' });
  started.push(p);
  const base = `http://127.0.0.1:${(await p.waitFor(LISTENING))[1]}`;
  return { p, base };
}

const signup = (base: string, email: string) =>
  fetch(`${base}/lists/newsletter/subscribe`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email }) });

async function until<T>(work: () => Promise<T>, done: (v: T) => boolean, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await work();
    if (done(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A small tmpfs of our own (root only): a disk that can be filled, or made read-only, on purpose. */
function smallDisk(size: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'listgate-disk-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]);
  mounts.push(dir);
  return dir;
}
const canMount = (() => {
  if (process.getuid?.() !== 0) return false;
  try {
    const dir = mkdtempSync(join(tmpdir(), 'listgate-mount-probe-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir]);
    execFileSync('umount', [dir]);
    rmSync(dir, { recursive: true });
    return true;
  } catch {
    return false;
  }
})();
if (!canMount) console.warn('storage.test.ts: SKIPPING the full-disk test: it needs root to mount a small tmpfs');

describe('a database that cannot take writes', { timeout: 60_000 }, () => {
  it('held write lock: signups answer 503 with Retry-After at once, pages keep answering, and it recovers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'listgate-lock-'));
    dirs.push(dir);
    const dbPath = join(dir, 'listgate.db');
    const { base } = await server(dbPath);
    expect((await signup(base, 'before@example.com')).status).toBe(202);

    const holder = new Database(dbPath);
    holder.exec('BEGIN IMMEDIATE');
    holder.prepare("INSERT INTO settings (key, value) VALUES ('held', 'by another connection')").run();
    try {
      const startedAt = performance.now();
      const signups = Promise.all(Array.from({ length: 20 }, (_, i) => signup(base, `locked${i}@example.com`)));
      const page = fetch(`${base}/lists/newsletter`).then((r) => ({ status: r.status, ms: performance.now() - startedAt }));
      const [answers, pageAnswer] = await Promise.all([signups, page]);
      // Every answer came while the lock was still held: nobody waited for it to end.
      expect(answers.map((r) => r.status)).toEqual(Array(20).fill(503));
      expect(answers[0].headers.get('retry-after')).toBe('1');
      expect(((await answers[0].json()) as { type: string }).type).toContain('unavailable');
      expect(pageAnswer.status).toBe(200);
      // The contract's bound: a locked database holds other requests up for at most a second.
      expect(pageAnswer.ms).toBeLessThan(1000);
      const health = await fetch(`${base}/healthz`);
      expect(health.status).toBe(503);
      expect(health.headers.get('retry-after')).toBe('1');
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
    const after = await until(() => signup(base, 'after@example.com'), (r) => r.status === 202);
    expect(after.status).toBe(202);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  it.skipIf(!canMount)('full disk: signups and /healthz answer 503, never 500, and both recover once space is freed', async () => {
    const disk = smallDisk('8m');
    const { p, base } = await server(join(disk, 'listgate.db'));
    expect((await signup(base, 'room@example.com')).status).toBe(202);
    // Fill every block that is left.
    mkdirSync(join(disk, 'filler'));
    try {
      for (let i = 0; ; i++) writeFileSync(join(disk, 'filler', `${i}`), Buffer.alloc(64 * 1024));
    } catch {
      /* ENOSPC: full */
    }
    const full = await until(() => signup(base, 'nospace@example.com'), (r) => r.status !== 202);
    expect(full.status).toBe(503);
    expect(Number(full.headers.get('retry-after'))).toBeGreaterThan(0);
    // Signups arriving together share one transaction (group commit): its failed write answers each
    // of them 503, and none of them is kept.
    const together = await Promise.all(Array.from({ length: 10 }, (_, i) => signup(base, `together${i}@example.com`)));
    expect(together.map((r) => r.status)).toEqual(Array(10).fill(503));
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ status: 'unavailable', database: 'unavailable' });

    rmSync(join(disk, 'filler'), { recursive: true });
    expect((await until(() => signup(base, 'roomagain@example.com'), (r) => r.status === 202)).status).toBe(202);
    expect((await until(() => fetch(`${base}/healthz`), (r) => r.status === 200)).status).toBe(200);
    expect(p.output()).not.toContain('"status":500');
    const db = new Database(join(disk, 'listgate.db'), { readonly: true });
    try {
      const kept = db.prepare("SELECT email FROM subscriptions WHERE email LIKE 'together%'").all();
      expect(kept).toEqual([]);
    } finally {
      db.close();
    }
  });
});
