/**
 * Export benchmark (not part of npm test): seeds confirmed subscribers into a temporary SQLite file,
 * then streams the CSV export through the real app over HTTP and, for comparison, from a raw
 * better-sqlite3 iterate()-to-CSV server. Each measurement runs in a fresh child process so peak RSS
 * is that server's own.
 *
 *   npx tsx bench/export.ts [--rows 1000000] [--small 100000]
 *
 * Targets: app time <= 1.5x raw, app peak RSS <= 250 MB, RSS(big) within 30 MB of RSS(small).
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openSqlite } from '../src/db/sqlite';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '1000000' }, small: { type: 'string', default: '100000' } } });
const BIG = Number(values.rows);
const SMALL = Number(values.small);
const ADMIN = 'bench-admin-token-0123456789abcdef';
const dir = mkdtempSync(join(tmpdir(), 'listgate-bench-'));
const dbPath = join(dir, 'bench.db');

function seed() {
  const started = performance.now();
  const h = openSqlite(dbPath);
  const insertList = h.sqlite.prepare('INSERT INTO lists (slug, name, created_at, updated_at) VALUES (?, ?, 0, 0) RETURNING id');
  // Through normal SQL, so the triggers keep the counters exact.
  const insert = h.sqlite.prepare(
    `INSERT INTO subscriptions (list_id, email, key, name, state, signup_id, unsub_token, created_at, updated_at, confirmed_at, confirm_seq, public_id)
     VALUES (?, ?, ?, ?, 'confirmed', ?, ?, ?, ?, ?, ?, 'sub_' || ?)`,
  );
  let seq = 0;
  const t0 = Date.UTC(2026, 0, 1);
  h.sqlite.transaction(() => {
    for (const [slug, n] of [['small', SMALL], ['big', BIG]] as const) {
      const { id } = insertList.get(slug, slug) as { id: number };
      for (let i = 0; i < n; i++) {
        seq++;
        const email = `subscriber${seq}@example.com`;
        const name = i % 10 === 0 ? `Doe, Jane "${seq}"` : i % 3 === 0 ? null : `Person ${seq}`;
        const at = t0 + seq * 1000;
        insert.run(id, email, email, name, `sg_${seq}`, `u_${String(seq).padStart(32, '0')}`, at, at, at, seq, `sg_${seq}`);
      }
    }
  })();
  h.sqlite.pragma('wal_checkpoint(TRUNCATE)');
  const counts = h.sqlite.prepare('SELECT slug, count_confirmed AS n FROM lists WHERE slug IN (?, ?) ORDER BY slug').all('big', 'small');
  h.close();
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
  seed();
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
  const peak = Math.max(...runs.filter((r) => r.mode === 'app').map((r) => r.peakRssMb));
  const ratio = appBig.seconds / rawBig.seconds;
  const growth = appBig.peakRssMb - appSmall.peakRssMb;
  console.log('\n| run | rows | seconds | rows/s | peak RSS MB |\n|---|---|---|---|---|');
  for (const r of [appSmall, rawSmall, appBig, rawBig]) {
    console.log(`| ${r.mode} ${r.list} | ${r.rows} | ${r.seconds.toFixed(2)} | ${Math.round(r.rows / r.seconds)} | ${r.peakRssMb.toFixed(1)} |`);
  }
  console.log(`\ntime ratio app/raw at ${BIG}: ${ratio.toFixed(2)} (target <= 1.5) ${ratio <= 1.5 ? 'ok' : 'MISSED'}`);
  console.log(`app peak RSS: ${peak.toFixed(1)} MB (target <= 250) ${peak <= 250 ? 'ok' : 'MISSED'}`);
  console.log(`app RSS ${BIG} - ${SMALL}: ${growth.toFixed(1)} MB (target <= 30) ${growth <= 30 ? 'ok' : 'MISSED'}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
