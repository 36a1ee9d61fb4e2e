/**
 * Import benchmark (not a test): a confirmed import of N rows (default 1,000,000) from a CSV file
 * into a fresh SQLite file, as the CLI runs it (the same service, the Node HMAC port), against the
 * ceiling of a raw better-sqlite3 insert of the same rows into another fresh file in one
 * transaction (one prepared INSERT, values ready in memory: no parsing, hashing or feed events).
 *
 *   npx tsx bench/import.ts                 # 1,000,000 rows
 *   BENCH_IMPORT_ROWS=100000 npx tsx bench/import.ts
 *
 * Targets: rows/s at least 0.3 of the ceiling's; memory flat: the process's RSS when all rows are in
 * is at most 64 MB above its RSS at half of them (SQLite's page cache, 64 MiB, fills before that
 * with a million rows; a per-row leak of 128 bytes would show as 64 MB).
 */
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import Database from 'better-sqlite3';
import { loadConfig } from '../src/config';
import type { Deps } from '../src/deps';
import { findList } from '../src/db/queries/lists';
import { openSqlite, PAGE_CACHE_KIB } from '../src/db/sqlite';
import { jsonLogger } from '../src/logger';
import { addressHashNow } from '../src/domain/ids';
import { importList } from '../src/services/import';
import { prepareInstallation } from '../src/services/installation';
import { printResults } from './lib/types';

const RATIO = 0.3;
const FLAT_MB = 64;
const rows = Number(process.env.BENCH_IMPORT_ROWS ?? 1_000_000);
const dir = mkdtempSync(join(tmpdir(), 'listgate-bench-import-'));
const file = join(dir, 'list.csv');

/** A thousand company domains and the big providers, as a real list mixes them. */
const domains = [...Array.from({ length: 1000 }, (_, i) => `company${i}.example.com`), 'gmail.com', 'outlook.com', 'yahoo.com', 'icloud.com', 'proton.me'];
const emailOf = (i: number) => `reader.${i}@${domains[(i * 7919) % domains.length]}`;

async function writeFile() {
  const out = createWriteStream(file);
  out.write('email,name\r\n');
  for (let i = 0; i < rows; i++) {
    if (!out.write(`${emailOf(i)},Reader ${i}\r\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

async function listgateImport() {
  const handle = openSqlite(join(dir, 'listgate.db'));
  const config = loadConfig({ LOG_LEVEL: 'silent', TOKEN_SECRET: 'bench-import-secret-bench-import-secret' });
  const clock = { now: () => Date.now() };
  const logger = jsonLogger('silent');
  const { tokens, hashKey } = await prepareInstallation(handle.db, config, clock, logger);
  const deps = { config, db: handle.db, atomic: handle.atomic, clock, logger, tokens, hashKey } as unknown as Deps;
  const list = (await findList(handle.db, 'newsletter'))!;
  const rss: Array<[number, number, number]> = [];
  const body = Readable.toWeb(createReadStream(file, { highWaterMark: 256 * 1024 })) as ReadableStream<Uint8Array>;
  const started = performance.now();
  const report = await importList(deps, list, body, {
    mode: 'confirmed',
    consentSource: 'benchmark',
    notify: false,
    dryRun: false,
    kind: 'csv',
    actor: 'bench',
    onProgress: (n) => rss.push([n, process.memoryUsage.rss(), process.memoryUsage().heapUsed]),
  });
  const seconds = (performance.now() - started) / 1000;
  handle.close();
  const at = (fraction: number) => rss.find(([n]) => n >= rows * fraction)?.[1] ?? NaN;
  // The JS heap's high-water mark in each half: a leak in the import's own objects shows here, apart from SQLite's cache.
  const heapMb = (from: number, to: number) => Math.max(...rss.filter(([n]) => n >= rows * from && n <= rows * to).map(([, , h]) => h)) / 2 ** 20;
  return { hash: (texts: string[]) => texts.map((t) => addressHashNow(deps.hashKey, t)), report, seconds, growthMb: (at(1) - at(0.5)) / 2 ** 20, peakMb: Math.max(...rss.map(([, r]) => r)) / 2 ** 20, heap: [heapMb(0, 0.5), heapMb(0.5, 1)] };
}

/**
 * The same rows, ready in memory before the clock starts (random ids and tokens, keyed mailbox
 * hashes, as the import makes them), into a fresh migrated file: one prepared INSERT, one transaction.
 */
function rawInsert(hash: (texts: string[]) => string[]) {
  const path = join(dir, 'raw.db');
  openSqlite(path).close();
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  // The same page cache as listgate's own connection (src/db/sqlite.ts), so only the work differs.
  db.pragma(`cache_size = -${PAGE_CACHE_KIB}`);
  db.prepare(`INSERT INTO lists (slug, name, created_at, updated_at) VALUES ('newsletter', 'Newsletter', 0, 0)`).run();
  const token = (n: number) => randomBytes(n).toString('base64url');
  // Ids and tokens made as the import makes them: a random prefix per 1,000 rows, a random part per row.
  let prefix = '';
  const values = Array.from({ length: rows }, (_, i) => {
    if (i % 1000 === 0) prefix = token(6);
    const email = emailOf(i);
    return [`sub_${prefix}${token(6)}`, email, email, hash([email])[0], `Reader ${i}`, `${prefix}${token(9)}`, `u_${prefix}${token(24)}`, i + 1];
  });
  const insert = db.prepare(
    `INSERT INTO subscriptions (public_id, list_id, email, key, mailbox_hash, name, state, signup_id, unsub_token, created_at, updated_at, confirmed_at, confirm_seq, provider)
     VALUES (?, 1, ?, ?, ?, ?, 'confirmed', ?, ?, 1, 1, 1, ?, 'other')`,
  );
  const started = performance.now();
  db.transaction(() => {
    for (const v of values) insert.run(...v);
  })();
  const seconds = (performance.now() - started) / 1000;
  db.close();
  return { seconds };
}

try {
  await writeFile();
  const imported = await listgateImport();
  const raw = rawInsert(imported.hash);
  const value = rows / imported.seconds;
  const ceiling = rows / raw.seconds;
  const ratio = value / ceiling;
  const clean = imported.report.imported === rows && imported.report.rows === rows;
  const flat = imported.growthMb <= FLAT_MB;
  console.log(`listgate: ${rows} rows in ${imported.seconds.toFixed(2)} s = ${value.toFixed(0)} rows/s; raw insert ${raw.seconds.toFixed(2)} s = ${ceiling.toFixed(0)} rows/s; ratio ${ratio.toFixed(3)} (target >= ${RATIO})`);
  console.log(`memory: RSS grew ${imported.growthMb.toFixed(1)} MB from 50 % to 100 % of the rows (target <= ${FLAT_MB}), peak ${imported.peakMb.toFixed(0)} MB; JS heap high-water ${imported.heap[0].toFixed(0)} MB in the first half, ${imported.heap[1].toFixed(0)} MB in the second; report ${JSON.stringify({ ...imported.report, errors: imported.report.errors.length })}`);
  printResults([
    {
      name: `confirmed import of ${rows.toLocaleString('en')} CSV rows (Node, SQLite file)`,
      value,
      unit: 'rows/s',
      ceiling,
      ratio,
      target: `ratio >= ${RATIO} of a raw one-transaction insert; RSS flat (<= ${FLAT_MB} MB growth)`,
      pass: clean && flat && ratio >= RATIO,
      note: `${imported.seconds.toFixed(1)} s vs ${raw.seconds.toFixed(1)} s raw; RSS +${imported.growthMb.toFixed(0)} MB from 50 % to 100 %, peak ${imported.peakMb.toFixed(0)} MB${clean ? '' : `; imported ${imported.report.imported} of ${rows}`}`,
    },
  ]);
  process.exitCode = clean && flat && ratio >= RATIO ? 0 : 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
