/**
 * The signup group's statements on their own: N signups of fresh addresses written through the
 * group commit on a SQLite file (no HTTP, no writer thread), G per transaction, with the time spent
 * in each statement, the transaction's own statements (BEGIN, savepoints, COMMIT) and the WAL frames
 * each commit appends. `npx tsx bench/lib/signup-statements.ts [N] [G]` (default 20000 4).
 * `TEMP_STORE=MEMORY` or `FILE` sets the connection's temp_store (the writer thread's is MEMORY).
 * Automatic checkpoints are off so that every commit's frames stay countable.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqlite } from '../../src/db/sqlite';
import { ensureDefaultList } from '../../src/db/queries/lists';
import { writeSignup } from '../../src/db/queries/subscriptions';
import { addressHashNow, randomTokens, timeOrderedTokens } from '../../src/domain/ids';

const n = Number(process.argv[2] ?? 20000);
const g = Number(process.argv[3] ?? 4);
const dir = mkdtempSync(join(tmpdir(), 'listgate-statements-'));
const handle = openSqlite(join(dir, 'listgate.db'));
await ensureDefaultList(handle.db, Date.now());
handle.sqlite.pragma('wal_autocheckpoint = 0');
if (process.env.TEMP_STORE) handle.sqlite.pragma(`temp_store = ${process.env.TEMP_STORE}`);

// Time per statement text, measured around better-sqlite3's own methods (src/db/sqlite.ts looks
// them up on the prototype at each call, so this wrapper sees every run).
const spent = new Map<string, { us: number; runs: number }>();
const proto = Object.getPrototypeOf(handle.sqlite.prepare('SELECT 1')) as Record<string, (...args: unknown[]) => unknown>;
for (const method of ['run', 'get', 'all']) {
  const original = proto[method];
  proto[method] = function (this: { source: string }, ...args: unknown[]) {
    const start = process.hrtime.bigint();
    try {
      return original.apply(this, args);
    } finally {
      const label = this.source.replace(/\s+/g, ' ').slice(0, 60);
      const entry = spent.get(label) ?? { us: 0, runs: 0 };
      entry.us += Number(process.hrtime.bigint() - start) / 1000;
      entry.runs++;
      spent.set(label, entry);
    }
  };
}

const hashKey = { secret: new Uint8Array(32).fill(7) };
let next = 0;
function one() {
  const now = Date.now();
  const email = `user${next++}-${randomTokens(6)[0]}@example.com`.toLowerCase();
  const hash = addressHashNow(hashKey, email);
  const [signupId, unsubToken, publicId] = timeOrderedTokens(now, 18, 24, 12);
  const [mailNonce] = randomTokens(12);
  return writeSignup(handle.atomic, {
    listId: 1, email, key: email, name: null, mailboxHash: hash, legacyHash: hash, publicId: `sub_${publicId}`,
    provider: 'other', consentHash: null, now, expiresAt: now + 86_400_000, freshSignupId: signupId, mailSignupId: signupId,
    unsubToken: `u_${unsubToken}`, mailNonce, skipCooldown: false, mailAt: now, ip: '10.0.0.1', userAgent: 'bench', source: null,
  });
}
const groups = async (count: number) => {
  for (let i = 0; i < count; i += g) await Promise.all(Array.from({ length: Math.min(g, count - i) }, one));
};
const walFrames = () => (handle.sqlite.pragma('wal_checkpoint(PASSIVE)') as Array<{ log: number }>)[0].log;

await groups(2000); // warm-up: JIT, prepared statements, the first pages
spent.clear();
const framesBefore = walFrames();
const start = performance.now();
await groups(n);
const elapsed = performance.now() - start;
const frames = walFrames() - framesBefore;
const tempStore = handle.sqlite.pragma('temp_store', { simple: true });
for (const label of spent.keys()) if (label.startsWith('PRAGMA')) spent.delete(label);

console.log(`${n} signups, ${g} per transaction, temp_store ${tempStore} (0: the default, a file; 1: file; 2: memory): ${((elapsed / n) * 1000).toFixed(1)} µs each (wall, with the JS)`);
console.log(`WAL frames per commit: ${(frames / Math.ceil(n / g)).toFixed(1)}`);
let total = 0;
for (const [label, { us, runs }] of [...spent].sort((a, b) => b[1].us - a[1].us)) {
  total += us;
  console.log(`${(us / n).toFixed(1).padStart(8)} µs per signup ${String(runs).padStart(7)}x  ${label}`);
}
console.log(`${(total / n).toFixed(1).padStart(8)} µs per signup in SQLite`);
handle.close();
rmSync(dir, { recursive: true, force: true });
