/**
 * Reads on a big list: GET /v1/lists/{list}/stats and 1,000-event pages of
 * GET /v1/lists/{list}/changes?after=C on 1,000,000 confirmed subscribers; target p99 < 20 ms.
 * The million is seeded straight into the database (pending, then confirmed in one UPDATE), so
 * the triggers write the counters, the daily stats and a million `confirmed` changes as the app would.
 * An endpoint missing from this build is reported as skipped ("endpoint not present (404)").
 */
import { load } from './lib/load';
import { BENCH_ADMIN_TOKEN, benchDatabasePath, startListgate } from './lib/listgate';
import { insertPending, migratedDatabase } from './lib/seed';
import type { BenchResult } from './lib/types';

const SUBSCRIBERS = Number(process.env.BENCH_STATS_SUBSCRIBERS ?? 1_000_000);
const PAGE = 1000;
const TARGET_MS = 20;
const auth = { authorization: `Bearer ${BENCH_ADMIN_TOKEN}`, accept: 'application/json' };

async function seed(path: string): Promise<number> {
  const started = Date.now();
  const db = await migratedDatabase(path);
  insertPending(db, SUBSCRIBERS, 's', Date.now() - 3600_000);
  db.prepare(`UPDATE subscriptions SET state = 'confirmed', confirmed_at = updated_at, confirm_seq = id, expires_at = NULL WHERE state = 'pending'`).run();
  db.close();
  return (Date.now() - started) / 1000;
}

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
  return { stats: stats.status !== 404, changes: await probeChanges(url) };
}

export async function run(): Promise<BenchResult[]> {
  const path = benchDatabasePath();
  // Probe on the empty database first: no point seeding a million rows for endpoints not built yet.
  const probe = await startListgate({ DATABASE_PATH: path });
  const found = await present(probe.url).finally(() => probe.stop());
  const results: BenchResult[] = [];
  const skipped = (name: string) =>
    results.push({ name, value: NaN, unit: 'ms', target: `p99 < ${TARGET_MS} ms`, pass: null, note: 'endpoint not present (404) in this build' });
  const STATS = 'stats (GET /v1/lists/newsletter/stats)';
  const CHANGES = 'changes page of 1,000 events (GET /v1/lists/newsletter/changes?after=C)';
  if (!found.stats) skipped(STATS);
  if (!found.changes) skipped(CHANGES);
  if (!found.stats && !found.changes) return results;

  const seeded = `${SUBSCRIBERS.toLocaleString('en')} subscribers seeded in ${(await seed(path)).toFixed(0)} s`;
  const server = await startListgate({ DATABASE_PATH: path });
  try {
    const measure = async (name: string, request: (n: number) => { path: string }, extra: string) => {
      const one = await load({ url: server.url, headers: auth, request, connections: 1, seconds: 5 });
      const ten = await load({ url: server.url, headers: auth, request, connections: 10, seconds: 5 });
      const bad = one.non2xx + one.errors + ten.non2xx + ten.errors;
      results.push({
        name,
        value: one.p99,
        unit: 'ms p99',
        target: `p99 < ${TARGET_MS} ms`,
        pass: bad === 0 && one.p99 < TARGET_MS,
        note: [`1 connection: p50 ${one.p50} ms, ${Math.round(one.rps)} req/s`, `10 connections: p99 ${ten.p99} ms, ${Math.round(ten.rps)} req/s`, extra, seeded, bad ? `${bad} non-2xx/errors` : ''].filter(Boolean).join('; '),
      });
    };
    if (found.stats) await measure(STATS, () => ({ path: '/v1/lists/newsletter/stats' }), '');
    const changes = await probeChanges(server.url);
    if (changes) {
      // Pages from anywhere in the feed, not only its (cached) start.
      const after = (n: number) => Math.floor((((n * 7919) % 997) / 997) * (SUBSCRIBERS - PAGE));
      await measure(CHANGES, (n) => ({ path: `/v1/lists/newsletter/changes?after=${after(n)}${changes.query}` }), `${changes.size} events per page`);
    }
  } finally {
    await server.stop();
  }
  return results;
}
