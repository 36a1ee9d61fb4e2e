/**
 * `npm run bench [-- name ...] [-- --write]`: runs every scenario `bench/<name>.ts`, in a fixed
 * order where known, and prints one table naming the commit it measured. A module exporting
 * `run(): Promise<BenchResult[]>` is imported; a stand-alone script (export, drain, timing: they do
 * their work at top level) runs in its own process, its output is shown, and its results are read
 * from the one `bench-results:` line it prints (printResults). Every target is judged where it is
 * measured, as a ratio against a ceiling measured in the same run.
 * `--write` puts the table into bench/RESULTS.md between its `bench:table` markers.
 * Not part of `npm test`. Loopback only; every process started is killed on exit or Ctrl-C;
 * the whole run is bounded by BENCH_TIMEOUT_SECONDS (default 1200).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { cleanupAll, runScript } from './lib/processes';
import { benchSeconds, readResults, type BenchModule, type BenchResult } from './lib/types';

const here = dirname(fileURLToPath(import.meta.url));
const ORDER = ['signup', 'confirm', 'stats', 'console', 'export', 'import', 'drain', 'timing'];
/** Helpers that are not scenarios (export.ts starts export-child.ts itself). */
const HELPERS = new Set(['run', 'export-child']);

const timeout = setTimeout(() => {
  console.error(`bench: gave up after BENCH_TIMEOUT_SECONDS; stopping every process it started`);
  cleanupAll();
  process.exit(2);
}, Number(process.env.BENCH_TIMEOUT_SECONDS ?? 1200) * 1000);
timeout.unref();

const available = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
  .map((f) => f.slice(0, -3))
  .filter((f) => !HELPERS.has(f))
  .sort((a, b) => (ORDER.indexOf(a) + 1 || 99) - (ORDER.indexOf(b) + 1 || 99) || a.localeCompare(b));
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const write = process.argv.includes('--write');
const names = wanted.length ? wanted : available;

const fmt = (n: number | undefined, digits = 0) => (n === undefined ? '' : n.toFixed(digits));
const rows: Array<BenchResult & { module: string }> = [];

const git = (...args: string[]) => execFileSync('git', args, { cwd: here, encoding: 'utf8' }).trim();
// What was measured: the commit, and whether the code differs from it.
const commit = git('rev-parse', '--short=12', 'HEAD');
const dirty = git('status', '--porcelain', '--', '../src', '../drizzle', '../bench', '../package-lock.json').split('\n').filter((l) => l && !l.endsWith('bench/RESULTS.md'));
const measured = `commit \`${commit}\`${dirty.length ? ` with uncommitted changes (${dirty.length} files)` : ''}`;
const header = `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${measured}; ${cpus().length} cores, Node ${process.version}, ${benchSeconds()} s per load run, load average at start ${loadavg().map((l) => l.toFixed(1)).join(' / ')}`;
console.log(`listgate benchmarks: ${header}\n`);
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
      const { code, output } = await runScript(file);
      console.log(`\n${output.trimEnd().replace(/^/gm, '    ')}`);
      const read = readResults(output);
      if (!read?.length) throw new Error(`printed no bench-results line (exit ${code})`);
      results = read;
      // A script exits non-zero on a miss; any other non-zero exit is a failure of every result.
      if (code !== 0 && results.every((r) => r.pass !== false)) results.forEach((r) => ((r.pass = false), (r.note = `${r.note ?? ''} (script exited ${code})`.trim())));
    }
    for (const r of results) rows.push({ module: name, ...r });
    console.log(`done in ${Math.round((Date.now() - started) / 1000)} s`);
    for (const r of results) console.log(`  ${r.name}: ${Number.isNaN(r.value) ? '-' : `${fmt(r.value, r.value < 100 ? 1 : 0)} ${r.unit}`}${r.ceiling !== undefined ? ` (ceiling ${fmt(r.ceiling, r.ceiling < 100 ? 1 : 0)})` : ''}${r.ratio !== undefined ? `, ratio ${r.ratio.toFixed(2)}` : ''} — ${r.pass === null ? 'SKIPPED' : r.pass ? 'PASS' : 'MISS'}${r.note ? ` (${r.note})` : ''}`);
  } catch (err) {
    console.log('failed');
    rows.push({ module: name, name, value: NaN, unit: '', target: '', pass: false, note: `error: ${(err as Error).message.split('\n')[0]}` });
  }
}

const table = ['| benchmark | listgate | ceiling | ratio | target | result | note |', '|---|---|---|---|---|---|---|'];
for (const r of rows) {
  const v = Number.isNaN(r.value) ? '' : `${fmt(r.value, r.value < 100 ? 2 : 0)} ${r.unit}`;
  const c = r.ceiling === undefined ? '' : `${fmt(r.ceiling, r.ceiling < 100 ? 2 : 0)} ${r.unit}`;
  const res = r.pass === null ? 'skipped' : r.pass ? 'pass' : '**MISS**';
  table.push(`| ${r.name} | ${v} | ${c} | ${r.ratio === undefined ? '' : r.ratio.toFixed(2)} | ${r.target} | ${res} | ${r.note ?? ''} |`);
}
const missed = rows.filter((r) => r.pass === false);
const summary = missed.length
  ? `${missed.length} of ${rows.length} targets missed: ${missed.map((r) => r.name).join('; ')}.`
  : `Every target met (${rows.filter((r) => r.pass).length} of ${rows.length}${rows.some((r) => r.pass === null) ? ', some skipped' : ''}).`;
const block = [`Measured ${header}; scenarios: ${names.join(', ')}.`, '', ...table, '', summary].join('\n');
console.log(`\n${block}`);
if (write) {
  const path = join(here, 'RESULTS.md');
  const [begin, end] = ['<!-- bench:table -->', '<!-- /bench:table -->'];
  const doc = readFileSync(path, 'utf8');
  const [from, to] = [doc.indexOf(begin), doc.indexOf(end)];
  if (from < 0 || to < from) throw new Error(`${path} has no ${begin} ... ${end} block`);
  writeFileSync(path, `${doc.slice(0, from + begin.length)}\n${block}\n${doc.slice(to)}`);
  console.log(`\nwrote the table into ${path}`);
}
cleanupAll();
process.exit(rows.some((r) => r.pass === false) ? 1 : 0);
