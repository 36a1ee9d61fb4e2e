/**
 * Timing side channel check (not a test): does a signup for an address that is already
 * confirmed answer as fast as one for a new address? If not, anyone could learn who is on a list.
 *
 *   npx tsx bench/timing.ts [--seed 300] [--samples 600]    (or BENCH_TIMING_SAMPLES=...)
 *
 * Builds the Node app as src/node.ts does (SQLite file, outbox loop, memory rate limiter, log
 * mailer printing nowhere) with rate limits raised by env, serves it with @hono/node-server on
 * 127.0.0.1:0, seeds N confirmed addresses through the real signup + confirm endpoints, then
 * sends JSON signups for new and confirmed addresses interleaved at random, one at a time,
 * and prints the median answer time of each group and their ratio (target: slower/faster <= 1.2,
 * the faster group being the ceiling).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { createApp } from '../src/app';
import { prepareInstallation } from '../src/services/installation';
import { loadConfig } from '../src/config';
import { openSqlite } from '../src/db/sqlite';
import { jsonLogger } from '../src/logger';
import { logMailer } from '../src/mail/log';
import { startDrainLoop } from '../src/mail/drain-loop';
import { memoryRateLimiter } from '../src/ratelimit/memory';
import { printResults } from './lib/types';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const SEED = arg('seed', 300);
const SAMPLES = arg('samples', Number(process.env.BENCH_TIMING_SAMPLES ?? 600));

const dir = mkdtempSync(join(tmpdir(), 'listgate-timing-'));
const config = loadConfig({
  DATABASE_PATH: join(dir, 'bench.db'),
  TOKEN_SECRET: 'bench-secret-bench-secret-bench-secret!',
  LOG_LEVEL: 'error',
  RATE_LIMIT_SIGNUP_BURST: '1000000',
  RATE_LIMIT_SIGNUP_PER_MINUTE: '1000000',
  RATE_LIMIT_LIST_PER_MINUTE: '1000000',
  RATE_LIMIT_ACTION_PER_MINUTE: '1000000',
});
const logger = jsonLogger(config.LOG_LEVEL);
const clock = { now: () => Date.now() };
const sqlite = openSqlite(config.DATABASE_PATH);
const { tokens, hashKey } = await prepareInstallation(sqlite.db, config, clock, logger);
const mailer = logMailer(jsonLogger('silent'));
const ports = { config, db: sqlite.db, atomic: sqlite.atomic, mailer, clock, logger, tokens, hashKey };
const outbox = startDrainLoop(ports);
const app = createApp({ ...ports, outbox, rateLimiter: memoryRateLimiter(clock), fetch: globalThis.fetch.bind(globalThis) });
const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
  const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
});
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

const post = async (path: string, body: unknown) => {
  const res = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  await res.arrayBuffer();
  return res.status;
};
const signup = (email: string) => post('/lists/newsletter/subscribe', { email, name: 'Bench Person' });

// Seed: N addresses signed up and confirmed through the endpoints themselves.
const confirmed: string[] = [];
for (let i = 0; i < SEED; i++) {
  const email = `confirmed${i}@example.com`;
  if ((await signup(email)) !== 202) throw new Error('seed signup failed');
  // The mail is rendered when the outbox sends it: the token is signed here as the mail would sign it.
  const row = sqlite.sqlite.prepare('SELECT signup_id AS signup FROM subscriptions WHERE email = ?').get(email) as { signup: string };
  const token = await tokens.sign({ signup: row.signup, list: 'newsletter', purpose: 'confirm' }, 48 * 3600);
  if ((await post('/confirm', { token })) !== 200) throw new Error('seed confirm failed');
  confirmed.push(email);
}
const state = sqlite.sqlite.prepare("SELECT count(*) AS n FROM subscriptions WHERE state = 'confirmed'").get() as { n: number };

// Warm up both paths (JIT, statement caches), then measure interleaved in random order.
for (let i = 0; i < 50; i++) await signup(i % 2 ? `warm${i}@example.com` : confirmed[i % confirmed.length]);
const order: Array<'new' | 'confirmed'> = Array.from({ length: SAMPLES * 2 }, (_, i) => (i % 2 ? 'confirmed' : 'new'));
for (let i = order.length - 1; i > 0; i--) {
  const j = Math.floor(Math.random() * (i + 1));
  [order[i], order[j]] = [order[j], order[i]];
}
const times: Record<'new' | 'confirmed', number[]> = { new: [], confirmed: [] };
let n = 0;
let c = 0;
for (const kind of order) {
  const email = kind === 'new' ? `new${n++}@example.com` : confirmed[c++ % confirmed.length];
  const started = performance.now();
  const status = await signup(email);
  times[kind].push(performance.now() - started);
  if (status !== 202) throw new Error(`signup answered ${status}`);
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.floor(q * (xs.length - 1))];
const mNew = median(times.new);
const mConfirmed = median(times.confirmed);
const ratio = Math.max(mNew, mConfirmed) / Math.min(mNew, mConfirmed);
console.log(`seeded confirmed: ${state.n}, samples per group: ${SAMPLES}`);
console.log(`median new address:       ${mNew.toFixed(3)} ms`);
console.log(`median confirmed address: ${mConfirmed.toFixed(3)} ms`);
for (const kind of ['new', 'confirmed'] as const) {
  console.log(`  ${kind}: p25 ${quantile(times[kind], 0.25).toFixed(3)} ms, p75 ${quantile(times[kind], 0.75).toFixed(3)} ms`);
}
console.log(`ratio (slower/faster):    ${ratio.toFixed(3)} (${((ratio - 1) * 100).toFixed(1)} %, target within 20 %) ${ratio <= 1.2 ? 'OK' : 'OVER TARGET'}`);
printResults([
  {
    name: 'signup answer time, confirmed vs new address (medians, one request at a time)',
    value: Math.max(mNew, mConfirmed),
    unit: 'ms',
    ceiling: Math.min(mNew, mConfirmed),
    ratio,
    target: 'slower/faster <= 1.2',
    pass: ratio <= 1.2,
    note: `new ${mNew.toFixed(3)} ms, confirmed ${mConfirmed.toFixed(3)} ms; ${SAMPLES} samples each, ${state.n} confirmed seeded`,
  },
]);

await new Promise<void>((r) => server.close(() => r()));
await outbox.stop();
sqlite.close();
rmSync(dir, { recursive: true, force: true });
process.exitCode = ratio <= 1.2 ? 0 : 1;
