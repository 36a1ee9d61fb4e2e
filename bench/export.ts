/**
 * Export benchmark (not part of npm test): seeds confirmed subscribers into a temporary SQLite file,
 * then streams the CSV export through the real app over HTTP and, for comparison, from the floor: a
 * bare node:http server writing CSV with its own minimal writer over better-sqlite3 iterate()
 * (bench/export-child.ts). Each measurement runs in a fresh child process so peak RSS is that
 * server's own. The floor must send the very same bytes as the app, or the comparison is void.
 *
 *   npx tsx bench/export.ts [--rows 1000000] [--small 100000]    (or BENCH_EXPORT_ROWS=...)
 *
 * Targets, all against the floor or the app's own small run in this same run:
 *   time:       app / floor at the big list <= TIME_RATIO
 *   peak RSS:   app / floor at the big list <= RSS_RATIO (the app loads hono, drizzle, zod, jose...)
 *   RSS growth: how much more the app's peak RSS grows from the small list (10x fewer rows) to the
 *               big one than the floor's does: (app big / app small) / (floor big / floor small)
 *               <= GROWTH_RATIO. The floor streams, yet its RSS still grows some (the GC lets the
 *               heap grow under more allocation); an export that buffered the 134 MiB of CSV of
 *               1M rows would grow by more than half of its whole peak instead.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { mailboxHashesMany } from '../src/services/mailbox';
import { migratedDatabase } from './lib/seed';
import { printResults } from './lib/types';

const TIME_RATIO = 1.5;
const RSS_RATIO = 2;
const GROWTH_RATIO = 1.15;
const rowsDefault = process.env.BENCH_EXPORT_ROWS ?? '1000000';
const { values } = parseArgs({ options: { rows: { type: 'string', default: rowsDefault }, small: { type: 'string', default: String(Number(rowsDefault) / 10) } } });
const BIG = Number(values.rows);
const SMALL = Number(values.small);
const ADMIN = 'bench-admin-token-0123456789abcdef';
const dir = mkdtempSync(join(tmpdir(), 'listgate-bench-'));
const dbPath = join(dir, 'bench.db');

async function seed() {
  const started = performance.now();
  // Rows carry their mailbox hash (migratedDatabase's key), as a signup writes them: otherwise the
  // app's first start fills in a million hashes (the upgrade path of data stored before mailboxes
  // were folded) and that run's peak RSS, the one the target counts, measured it too.
  const db = await migratedDatabase(dbPath);
  const insertList = db.prepare('INSERT INTO lists (slug, name, created_at, updated_at) VALUES (?, ?, 0, 0) RETURNING id');
  // Through normal SQL, so the triggers keep the counters exact.
  const insert = db.prepare(
    `INSERT INTO subscriptions (list_id, email, key, mailbox_hash, name, state, signup_id, unsub_token, created_at, updated_at, confirmed_at, confirm_seq, public_id)
     VALUES (?, ?, ?, ?, ?, 'confirmed', ?, ?, ?, ?, ?, ?, 'sub_' || ?)`,
  );
  let seq = 0;
  const t0 = Date.UTC(2026, 0, 1);
  db.transaction(() => {
    for (const [slug, n] of [['small', SMALL], ['big', BIG]] as const) {
      const { id } = insertList.get(slug, slug) as { id: number };
      for (let i = 0; i < n; i++) {
        seq++;
        const email = `subscriber${seq}@example.com`;
        const name = i % 10 === 0 ? `Doe, Jane "${seq}"` : i % 3 === 0 ? null : `Person ${seq}`;
        const at = t0 + seq * 1000;
        const [{ mailboxHash }] = mailboxHashesMany(db, [email]);
        insert.run(id, email, email, mailboxHash, name, `sg_${seq}`, `u_${String(seq).padStart(32, '0')}`, at, at, at, seq, `sg_${seq}`);
      }
    }
  })();
  db.pragma('wal_checkpoint(TRUNCATE)');
  const counts = db.prepare('SELECT slug, count_confirmed AS n FROM lists WHERE slug IN (?, ?) ORDER BY slug').all('big', 'small');
  db.close();
  console.log(`seeded ${SMALL + BIG} confirmed subscribers in ${((performance.now() - started) / 1000).toFixed(1)} s; counters: ${JSON.stringify(counts)}`);
}

type Run = { mode: 'app' | 'raw'; list: 'small' | 'big'; rows: number; bytes: number; seconds: number; peakRssMb: number };

async function measure(mode: 'app' | 'raw', list: 'small' | 'big'): Promise<Run> {
  const child = fork(new URL('./export-child.ts', import.meta.url).pathname, [mode, dbPath], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, BENCH_ADMIN_TOKEN: ADMIN },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const next = () => new Promise<Record<string, number>>((resolve, reject) => {
    child.once('message', (m) => resolve(m as Record<string, number>));
    child.once('exit', (code) => reject(new Error(`${mode} child exited ${code}`)));
  });
  try {
    const { port } = await next();
    const url = mode === 'app' ? `http://127.0.0.1:${port}/v1/lists/${list}/subscribers?format=csv` : `http://127.0.0.1:${port}/?list=${list}`;
    const started = performance.now();
    const res = await fetch(url, { headers: { authorization: `Bearer ${ADMIN}` } });
    if (res.status !== 200) throw new Error(`${mode}: HTTP ${res.status} ${await res.text()}`);
    let bytes = 0;
    let lines = 0;
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      bytes += chunk.length;
      for (let i = 0; i < chunk.length; i++) if (chunk[i] === 10) lines++;
    }
    const seconds = (performance.now() - started) / 1000;
    child.send({ ask: 'rss' });
    const { maxRss } = await next();
    // Names with a quote pair hold no line breaks here, so lines - header = rows.
    return { mode, list, rows: lines - 1, bytes, seconds, peakRssMb: maxRss / 2 ** 20 };
  } finally {
    child.kill();
  }
}

try {
  await seed();
  const runs: Run[] = [];
  // Raw and app alternate so neither gets a warmer page cache; the 1M pair runs twice, the faster counts.
  for (const [mode, list] of [['raw', 'big'], ['app', 'big'], ['raw', 'big'], ['app', 'big'], ['app', 'small'], ['raw', 'small']] as const) {
    const r = await measure(mode, list);
    console.log(`  ${mode} ${list}: ${r.rows} rows, ${(r.bytes / 2 ** 20).toFixed(1)} MiB in ${r.seconds.toFixed(2)} s, peak RSS ${r.peakRssMb.toFixed(1)} MB`);
    runs.push(r);
  }
  const best = (mode: string, list: string) => runs.filter((r) => r.mode === mode && r.list === list).sort((a, b) => a.seconds - b.seconds)[0];
  const [appBig, rawBig, appSmall, rawSmall] = [best('app', 'big'), best('raw', 'big'), best('app', 'small'), best('raw', 'small')];
  for (const r of [appBig, rawBig, appSmall, rawSmall]) if (r.rows !== (r.list === 'big' ? BIG : SMALL)) throw new Error(`${r.mode} ${r.list}: ${r.rows} rows`);
  for (const list of ['big', 'small'] as const) {
    const [a, r] = [best('app', list), best('raw', list)];
    if (a.bytes !== r.bytes) throw new Error(`${list}: the app sent ${a.bytes} bytes, the floor ${r.bytes}: they no longer write the same CSV`);
  }
  const ratio = appBig.seconds / rawBig.seconds;
  // Peak RSS of each process over its whole life; of the two big runs, the higher counts.
  const peak = (mode: string, list: string) => Math.max(...runs.filter((r) => r.mode === mode && r.list === list).map((r) => r.peakRssMb));
  const [appPeak, rawPeak, appSmallPeak, rawSmallPeak] = [peak('app', 'big'), peak('raw', 'big'), peak('app', 'small'), peak('raw', 'small')];
  const rssRatio = appPeak / rawPeak;
  const appGrowth = appPeak / appSmallPeak;
  const rawGrowth = rawPeak / rawSmallPeak;
  const growth = appGrowth / rawGrowth;
  console.log('\n| run | rows | seconds | rows/s | peak RSS MB |\n|---|---|---|---|---|');
  for (const r of [appSmall, rawSmall, appBig, rawBig]) {
    console.log(`| ${r.mode} ${r.list} | ${r.rows} | ${r.seconds.toFixed(2)} | ${Math.round(r.rows / r.seconds)} | ${r.peakRssMb.toFixed(1)} |`);
  }
  const verdict = (ok: boolean) => (ok ? 'ok' : 'MISSED');
  console.log(`\ntime ratio app/floor at ${BIG}: ${ratio.toFixed(2)} (target <= ${TIME_RATIO}) ${verdict(ratio <= TIME_RATIO)}`);
  console.log(`peak RSS ratio app/floor at ${BIG}: ${rssRatio.toFixed(2)} (target <= ${RSS_RATIO}) ${verdict(rssRatio <= RSS_RATIO)}`);
  console.log(`peak RSS ${BIG} / ${SMALL} rows: app ${appGrowth.toFixed(2)}, floor ${rawGrowth.toFixed(2)}, app/floor ${growth.toFixed(2)} (target <= ${GROWTH_RATIO}) ${verdict(growth <= GROWTH_RATIO)}`);
  const mib = (appBig.bytes / 2 ** 20).toFixed(1);
  printResults([
    {
      name: `${BIG.toLocaleString('en')}-row CSV export time vs floor (better-sqlite3 iterate() + minimal CSV writer)`,
      value: appBig.seconds,
      unit: 's',
      ceiling: rawBig.seconds,
      ratio,
      target: `time ratio <= ${TIME_RATIO}`,
      pass: ratio <= TIME_RATIO,
      note: `${mib} MiB of CSV, same bytes from both; ${SMALL.toLocaleString('en')} rows: ${appSmall.seconds.toFixed(2)} s vs ${rawSmall.seconds.toFixed(2)} s`,
    },
    {
      name: `${BIG.toLocaleString('en')}-row CSV export peak RSS vs floor`,
      value: appPeak,
      unit: 'MB',
      ceiling: rawPeak,
      ratio: rssRatio,
      target: `RSS ratio <= ${RSS_RATIO}`,
      pass: rssRatio <= RSS_RATIO,
    },
    {
      name: `CSV export peak RSS growth, ${SMALL.toLocaleString('en')} -> ${BIG.toLocaleString('en')} rows`,
      value: appGrowth,
      unit: 'x',
      ceiling: rawGrowth,
      ratio: growth,
      target: `growth ratio app/floor <= ${GROWTH_RATIO}`,
      pass: growth <= GROWTH_RATIO,
      note: `app ${appSmallPeak.toFixed(1)} -> ${appPeak.toFixed(1)} MB, floor ${rawSmallPeak.toFixed(1)} -> ${rawPeak.toFixed(1)} MB`,
    },
  ]);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
