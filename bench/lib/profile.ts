/**
 * `npx tsx bench/lib/profile.ts [seconds]`: runs the signup (or `BENCH_SCENARIO=confirm`) load
 * against listgate started with --cpu-prof, then prints the heaviest functions by self time.
 * How the hot spots in bench/RESULTS.md were found.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from './load';
import { startListgate } from './listgate';
import { tempDir } from './processes';

type Node = { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount: number; children?: number[] };

const dir = process.env.PROFILE_DIR ?? tempDir('prof');
process.env.BENCH_PROFILE = dir;
const seconds = Number(process.argv[2] ?? 5);
const server = await startListgate();
const { signupLoad } = await import('../signup');
const r = await load({ ...signupLoad('prof'), url: server.url, seconds });
await server.stop();
console.log(`${Math.round(r.rps)} req/s under the profiler`);

const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'))!;
const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { nodes: Node[] };
const total = profile.nodes.reduce((s, n) => s + n.hitCount, 0);
const self = new Map<string, number>();
for (const n of profile.nodes) {
  const url = n.callFrame.url.replace(/^.*node_modules\//, '').replace(/^.*\/issue-\d+\//, '');
  const key = `${n.callFrame.functionName || '(anon)'} ${url}:${n.callFrame.lineNumber}`;
  self.set(key, (self.get(key) ?? 0) + n.hitCount);
}
for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.TOP ?? 30))) {
  console.log(`${((v / total) * 100).toFixed(1).padStart(5)}%  ${k}`);
}
process.exit(0);
