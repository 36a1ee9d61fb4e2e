/**
 * Confirm throughput: JSON POST /confirm, 50 connections, each request a distinct valid token of
 * a distinct pending signup, against the same bare Hono + one INSERT ceiling. Pending signups are
 * seeded straight into the database; their tokens are signed with createTokens and the same
 * TOKEN_SECRET the server uses, exactly as the signup path would.
 */
import { createTokens } from '../src/domain/tokens';
import { measureCeiling } from './lib/ceiling';
import { cpuNote, load, type LoadOptions } from './lib/load';
import { BENCH_TOKEN_SECRET, benchDatabasePath, benchWebhook, clientAddress, startListgate } from './lib/listgate';
import { insertPending, migratedDatabase } from './lib/seed';
import type { BenchResult } from './lib/types';

const TARGET = 0.4;
// Enough that no request repeats a token at up to 19,000 confirms a second for 10 s after the warm-up.
const SIGNUPS = Number(process.env.BENCH_CONFIRM_SIGNUPS ?? 200_000);
const WARMUP = 5_000;

function confirmLoad(tokens: string[], from: number, exhausted: { n: number }): Omit<LoadOptions, 'url'> {
  return {
    method: 'POST',
    path: '/confirm',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    request: (n) => {
      const i = from + n;
      if (i >= tokens.length) exhausted.n++;
      return { body: JSON.stringify({ token: tokens[i % tokens.length] }), headers: { 'x-forwarded-for': clientAddress(n) } };
    },
  };
}

export async function run(): Promise<BenchResult[]> {
  const path = benchDatabasePath();
  const db = await migratedDatabase(path);
  const started = Date.now();
  insertPending(db, SIGNUPS, 'c');
  db.close();
  const signer = await createTokens({ secret: BENCH_TOKEN_SECRET, now: () => Date.now() });
  const tokens: string[] = [];
  for (let i = 0; i < SIGNUPS; i++) tokens.push(await signer.sign({ signup: `c${i}`, list: 'newsletter', purpose: 'confirm' }, 48 * 3600));
  const seedSeconds = (Date.now() - started) / 1000;

  const exhausted = { n: 0 };
  const server = await startListgate({ DATABASE_PATH: path });
  const hook = await benchWebhook(server);
  let measured;
  try {
    await load({ ...confirmLoad(tokens.slice(0, WARMUP), 0, { n: 0 }), url: server.url, seconds: 2 });
    measured = await load({ ...confirmLoad(tokens, WARMUP, exhausted), url: server.url, pid: server.pid });
  } finally {
    await server.stop();
    await hook?.stop();
  }
  const ceiling = await measureCeiling(confirmLoad(tokens, 0, { n: 0 }));
  const ratio = measured.rps / ceiling.rps;
  const bad = measured.non2xx + measured.errors + measured.timeouts;
  const notes = [`listgate p99 ${measured.p99.toFixed(1)} ms, ceiling p99 ${ceiling.p99.toFixed(1)} ms`, cpuNote(measured, ceiling), `${SIGNUPS} pending signups seeded in ${seedSeconds.toFixed(1)} s`];
  if (hook) notes.push(`with a webhook: ${hook.received()} deliveries received`);
  if (bad) notes.push(`${bad} non-2xx/errors`);
  if (exhausted.n) notes.push(`tokens ran out: ${exhausted.n} requests repeated a confirmed token (raise BENCH_CONFIRM_SIGNUPS)`);
  return [
    {
      name: 'confirm throughput (POST /confirm, 50 conns)',
      value: Math.round(measured.rps),
      unit: 'req/s',
      ceiling: Math.round(ceiling.rps),
      ratio,
      target: `ratio >= ${TARGET}`,
      pass: bad === 0 && exhausted.n === 0 && ratio >= TARGET,
      note: notes.join('; '),
    },
  ];
}
