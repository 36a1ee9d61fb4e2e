/**
 * Reads on a big list: GET /v1/lists/{list}/stats and 1,000-event pages of
 * GET /v1/lists/{list}/changes?after=C on 1,000,000 confirmed subscribers, each at 1 connection
 * (service time: one request at a time) and at 10 connections (answer time under concurrency,
 * queueing included), against the ceiling: a bare Hono server running the same reads on the same
 * file with prepared better-sqlite3 statements (bench/servers/reads.ts), under the same load in
 * this same run. Target at both: listgate's p99 at most P99_RATIO times the ceiling's.
 * The million is seeded straight into the database (pending, then confirmed in one UPDATE), so
 * the triggers write the counters, the daily stats and a million `confirmed` changes as the app would.
 * An endpoint missing from this build is reported as skipped ("endpoint not present (404)").
 */
import { load, type LoadOptions, type LoadResult } from './lib/load';
import { BENCH_ADMIN_TOKEN, benchDatabasePath, startListgate } from './lib/listgate';
import { startServer, type Server } from './lib/processes';
import { seedConfirmed } from './lib/seed';
import { benchSeconds, type BenchResult } from './lib/types';

const SUBSCRIBERS = Number(process.env.BENCH_STATS_SUBSCRIBERS ?? 1_000_000);
const PAGE = 1000;
const P99_RATIO = 2;
/** Issue 15's target for the operator's reads: stats and the daily rows within this many times /healthz's p99. */
const HEALTHZ_RATIO = 5;
const CONNECTIONS = [1, 10];
const auth = { authorization: `Bearer ${BENCH_ADMIN_TOKEN}`, accept: 'application/json' };

/** Answers the page size the endpoint gives, trying `limit=1000` when the default differs; null when absent. */
async function probeChanges(url: string): Promise<{ query: string; size: number } | null> {
  for (const query of ['', `&limit=${PAGE}`]) {
    const res = await fetch(`${url}/v1/lists/newsletter/changes?after=0${query}`, { headers: auth });
    if (res.status === 404) return null;
    if (!res.ok) continue;
    const body = (await res.json()) as { data?: unknown[] };
    if (body.data?.length === PAGE || query) return { query, size: body.data?.length ?? 0 };
  }
  return null;
}

async function present(url: string) {
  const stats = await fetch(`${url}/v1/lists/newsletter/stats`, { headers: auth });
  const daily = await fetch(`${url}/v1/lists/newsletter/stats/daily`, { headers: auth });
  return { stats: stats.status !== 404, daily: daily.status !== 404, changes: await probeChanges(url) };
}

type Endpoint = { name: string; request: LoadOptions['request']; extra: string };

/** Every endpoint at every connection count against one server, after a short warm-up. */
async function measureAll(server: Server, endpoints: Endpoint[]): Promise<LoadResult[][]> {
  const seconds = Math.max(2, Math.round(benchSeconds() / 2));
  const out: LoadResult[][] = [];
  for (const e of endpoints) {
    await load({ url: server.url, headers: auth, request: e.request, connections: 10, seconds: 2 });
    const runs: LoadResult[] = [];
    for (const connections of CONNECTIONS) runs.push(await load({ url: server.url, headers: auth, request: e.request, connections, seconds, pid: server.pid }));
    out.push(runs);
  }
  return out;
}

export async function run(): Promise<BenchResult[]> {
  const path = benchDatabasePath();
  // Probe on the empty database first: no point seeding a million rows for endpoints not built yet.
  const probe = await startListgate({ DATABASE_PATH: path });
  const found = await present(probe.url).finally(() => probe.stop());
  const results: BenchResult[] = [];
  const target = `p99 ratio <= ${P99_RATIO}`;
  const skipped = (name: string) => results.push({ name, value: NaN, unit: 'ms p99', target, pass: null, note: 'endpoint not present (404) in this build' });
  const size = SUBSCRIBERS.toLocaleString('en');
  const STATS = `stats on ${size} subscribers (GET /v1/lists/newsletter/stats)`;
  const CHANGES = `changes page of ${PAGE.toLocaleString('en')} events on ${size} subscribers (GET /v1/lists/newsletter/changes?after=C)`;
  if (!found.stats) skipped(STATS);
  if (!found.changes) skipped(CHANGES);
  if (!found.stats && !found.changes) return results;

  const seeded = `${size} subscribers seeded in ${(await seedConfirmed(path, SUBSCRIBERS)).toFixed(0)} s`;
  const server = await startListgate({ DATABASE_PATH: path });
  const endpoints: Endpoint[] = [];
  let app: LoadResult[][];
  try {
    if (found.stats) endpoints.push({ name: STATS, request: () => ({ path: '/v1/lists/newsletter/stats' }), extra: '' });
    const changes = found.changes && (await probeChanges(server.url));
    if (changes) {
      // Pages from anywhere in the feed, not only its (cached) start.
      const after = (n: number) => Math.floor((((n * 7919) % 997) / 997) * (SUBSCRIBERS - PAGE));
      endpoints.push({ name: CHANGES, request: (n) => ({ path: `/v1/lists/newsletter/changes?after=${after(n)}${changes.query}` }), extra: `${changes.size} events per page, from all over the feed` });
    }
    app = await measureAll(server, endpoints);
    // The operator's reads against the cheapest answer of the same server, in the same run.
    const reads: Endpoint[] = [{ name: 'GET /healthz', request: () => ({ path: '/healthz' }), extra: '' }];
    if (found.stats) reads.push({ name: STATS, request: () => ({ path: '/v1/lists/newsletter/stats' }), extra: '' });
    if (found.daily) reads.push({ name: `30 daily rows on ${size} subscribers (GET /v1/lists/newsletter/stats/daily)`, request: () => ({ path: '/v1/lists/newsletter/stats/daily?days=30' }), extra: '' });
    const [healthz, ...others] = await measureAll(server, reads);
    others.forEach((runs, i) => {
      const [a, h] = [runs[0], healthz[0]];
      const ratio = a.p99 / h.p99;
      results.push({
        name: `${reads[i + 1].name} against GET /healthz, 1 connection`,
        value: a.p99,
        unit: 'ms p99',
        ceiling: h.p99,
        ratio,
        target: `p99 ratio <= ${HEALTHZ_RATIO}`,
        pass: a.non2xx + a.errors + a.timeouts === 0 && ratio <= HEALTHZ_RATIO,
        note: `p50 ${a.p50.toFixed(2)} vs ${h.p50.toFixed(2)} ms; the funnel by provider included (stats); ${seeded}`,
      });
    });
  } finally {
    await server.stop();
  }
  const bare = await startServer('bench/servers/reads.ts', { DATABASE_PATH: path });
  const ceiling = await measureAll(bare, endpoints).finally(() => bare.stop());

  endpoints.forEach((e, i) =>
    CONNECTIONS.forEach((connections, j) => {
      const [a, c] = [app[i][j], ceiling[i][j]];
      const bad = a.non2xx + a.errors + a.timeouts + c.non2xx + c.errors + c.timeouts;
      const ratio = a.p99 / c.p99;
      results.push({
        name: `${e.name}, ${connections} connection${connections > 1 ? 's' : ' (service time)'}`,
        value: a.p99,
        unit: 'ms p99',
        ceiling: c.p99,
        ratio,
        target,
        pass: bad === 0 && ratio <= P99_RATIO,
        note: [
          `p50 ${a.p50.toFixed(2)} vs ${c.p50.toFixed(2)} ms`,
          `${Math.round(a.rps)} vs ${Math.round(c.rps)} req/s`,
          a.cpuMsPerRequest !== undefined && c.cpuMsPerRequest !== undefined ? `server CPU/request ${a.cpuMsPerRequest.toFixed(3)} vs ${c.cpuMsPerRequest.toFixed(3)} ms` : '',
          e.extra,
          seeded,
          bad ? `${bad} non-2xx/errors` : '',
        ]
          .filter(Boolean)
          .join('; '),
      });
    }),
  );
  return results;
}
