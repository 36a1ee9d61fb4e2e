/**
 * `npm run bench [-- name ...]`: runs every scenario module `bench/<name>.ts` (each exports
 * `run(): Promise<BenchResult[]>`), in a fixed order where known, and prints one table.
 * Not part of `npm test`. Loopback only; every process started is killed on exit or Ctrl-C;
 * the whole run is bounded by BENCH_TIMEOUT_SECONDS (default 900).
 */
import { existsSync, readdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { cleanupAll } from './lib/processes';
import type { BenchModule, BenchResult } from './lib/types';

const here = dirname(fileURLToPath(import.meta.url));
const ORDER = ['signup', 'confirm', 'stats', 'export', 'drain', 'timing'];

const timeout = setTimeout(() => {
  console.error(`bench: gave up after BENCH_TIMEOUT_SECONDS; stopping every process it started`);
  cleanupAll();
  process.exit(2);
}, Number(process.env.BENCH_TIMEOUT_SECONDS ?? 900) * 1000);
timeout.unref();

const available = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.endsWith('.d.ts'))
  .map((f) => f.slice(0, -3))
  .sort((a, b) => (ORDER.indexOf(a) + 1 || 99) - (ORDER.indexOf(b) + 1 || 99) || a.localeCompare(b));
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const names = wanted.length ? wanted : available;

const fmt = (n: number | undefined, digits = 0) => (n === undefined ? '' : n.toFixed(digits));
const rows: Array<BenchResult & { module: string }> = [];

console.log(`listgate benchmarks — ${new Date().toISOString()} — ${cpus().length} cores, node ${process.version}, ${process.env.BENCH_SECONDS ?? 10} s per load run, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
for (const name of names) {
  const file = join(here, `${name}.ts`);
  if (!existsSync(file)) {
    rows.push({ module: name, name, value: NaN, unit: '', target: '', pass: null, note: 'module not present' });
    continue;
  }
  const started = Date.now();
  process.stdout.write(`${name}: running... `);
  try {
    const mod = (await import(pathToFileURL(file).href)) as Partial<BenchModule>;
    if (typeof mod.run !== 'function') throw new Error('exports no run()');
    const results = await mod.run();
    for (const r of results) rows.push({ module: name, ...r });
    console.log(`done in ${Math.round((Date.now() - started) / 1000)} s`);
    for (const r of results) console.log(`  ${r.name}: ${Number.isNaN(r.value) ? '-' : `${fmt(r.value, r.value < 100 ? 1 : 0)} ${r.unit}`}${r.ceiling !== undefined ? ` (ceiling ${fmt(r.ceiling, r.ceiling < 100 ? 1 : 0)})` : ''}${r.ratio !== undefined ? `, ratio ${r.ratio.toFixed(2)}` : ''} — ${r.pass === null ? 'SKIPPED' : r.pass ? 'PASS' : 'MISS'}${r.note ? ` (${r.note})` : ''}`);
  } catch (err) {
    console.log('failed');
    rows.push({ module: name, name, value: NaN, unit: '', target: '', pass: false, note: `error: ${(err as Error).message.split('\n')[0]}` });
  }
}

console.log('\n| benchmark | listgate | ceiling | ratio | target | result | note |\n|---|---|---|---|---|---|---|');
for (const r of rows) {
  const v = Number.isNaN(r.value) ? '' : `${fmt(r.value, r.value < 100 ? 1 : 0)} ${r.unit}`;
  const c = r.ceiling === undefined ? '' : `${fmt(r.ceiling, r.ceiling < 100 ? 1 : 0)} ${r.unit}`;
  const res = r.pass === null ? 'skipped' : r.pass ? 'pass' : 'MISS';
  console.log(`| ${r.name} | ${v} | ${c} | ${r.ratio === undefined ? '' : r.ratio.toFixed(2)} | ${r.target} | ${res} | ${r.note ?? ''} |`);
}
cleanupAll();
process.exit(rows.some((r) => r.pass === false) ? 1 : 0);
