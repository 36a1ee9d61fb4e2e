/**
 * `npm run bench [-- name ...]`: runs every scenario `bench/<name>.ts`, in a fixed order where
 * known, and prints one table. A module exporting `run(): Promise<BenchResult[]>` is imported;
 * a stand-alone script (export, drain, timing: they do their work at top level) runs in its own
 * process, its output is shown, and its headline numbers are read from that output (SCRIPTS).
 * Not part of `npm test`. Loopback only; every process started is killed on exit or Ctrl-C;
 * the whole run is bounded by BENCH_TIMEOUT_SECONDS (default 900).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { cleanupAll, runScript } from './lib/processes';
import type { BenchModule, BenchResult } from './lib/types';

const here = dirname(fileURLToPath(import.meta.url));
const ORDER = ['signup', 'confirm', 'stats', 'export', 'drain', 'timing'];
/** Helpers that are not scenarios (export.ts starts export-child.ts itself). */
const HELPERS = new Set(['run', 'export-child']);

type Parsed = Omit<BenchResult, 'pass'> & { pass: boolean };
const num = (out: string, re: RegExp) => Number(out.match(re)?.[1] ?? NaN);
/** How to read each stand-alone script's output; a script whose output does not parse is a failure. */
const SCRIPTS: Record<string, (out: string) => Parsed[]> = {
  export: (out) => {
    const ratio = num(out, /time ratio app\/raw at \d+: ([\d.]+)/);
    const rss = num(out, /app peak RSS: ([\d.]+) MB/);
    const raw = num(out, /\| raw big \| \d+ \| ([\d.]+) \|/);
    const app = num(out, /\| app big \| \d+ \| ([\d.]+) \|/);
    return [
      { name: '1M-row CSV export time vs raw better-sqlite3 stream', value: app, unit: 's', ceiling: raw, ratio, target: 'time ratio <= 1.5', pass: ratio <= 1.5 },
      { name: '1M-row CSV export peak RSS', value: rss, unit: 'MB', target: '<= 250 MB', pass: rss <= 250, note: (out.match(/app RSS \d+ - \d+: [^\n]+/) ?? [''])[0] },
    ];
  },
  drain: (out) => {
    const rate = num(out, /: ([\d.]+) mails\/s/);
    return [{ name: 'outbox drain against the Resend imitation at 2 req/s', value: rate, unit: 'mails/s', target: '>= 180 mails/s', pass: rate >= 180, note: (out.match(/drained [^\n]+/) ?? [''])[0] }];
  },
  timing: (out) => {
    const ratio = num(out, /ratio \(slower\/faster\):\s+([\d.]+)/);
    return [{ name: 'signup answer time, confirmed vs new address (median difference)', value: (ratio - 1) * 100, unit: '%', target: 'within 20 %', pass: ratio <= 1.2, note: `new ${num(out, /median new address:\s+([\d.]+)/)} ms, confirmed ${num(out, /median confirmed address:\s+([\d.]+)/)} ms` }];
  },
};

const timeout = setTimeout(() => {
  console.error(`bench: gave up after BENCH_TIMEOUT_SECONDS; stopping every process it started`);
  cleanupAll();
  process.exit(2);
}, Number(process.env.BENCH_TIMEOUT_SECONDS ?? 900) * 1000);
timeout.unref();

const available = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
  .map((f) => f.slice(0, -3))
  .filter((f) => !HELPERS.has(f))
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
    let results: BenchResult[];
    if (/export (async )?function run\b/.test(readFileSync(file, 'utf8'))) {
      const mod = (await import(pathToFileURL(file).href)) as Partial<BenchModule>;
      if (typeof mod.run !== 'function') throw new Error('exports no run()');
      results = await mod.run();
    } else {
      const parse = SCRIPTS[name];
      if (!parse) throw new Error('neither exports run() nor has an output reader in bench/run.ts');
      const { code, output } = await runScript(file);
      console.log(`\n${output.trimEnd().replace(/^/gm, '    ')}`);
      results = parse(output);
      if (code !== 0) results.forEach((r) => ((r.pass = false), (r.note = `${r.note ?? ''} (script exited ${code})`.trim())));
      if (results.some((r) => Number.isNaN(r.value))) throw new Error(`could not read the results from its output (exit ${code})`);
    }
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
