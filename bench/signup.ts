/**
 * Signup throughput: JSON POST /lists/newsletter/subscribe, 50 connections, every request a new
 * address from a new client address, against the bare Hono + one INSERT ceiling. Each signup
 * still does everything it does in production: list lookup, rate-limit buckets, validation, the
 * address's keyed hash, the subscription and its outbox row written (in the turn's group commit)
 * before the answer; the outbox renders and sends the mail while the load runs.
 * Targets (issue 19): throughput >= 0.25 of the ceiling's, p99 within 3x the ceiling's p99.
 */
import { measureCeiling } from './lib/ceiling';
import { cpuNote, load, type LoadOptions } from './lib/load';
import { clientAddress, startListgate } from './lib/listgate';
import type { BenchResult } from './lib/types';

const TARGET = 0.25;
const P99_TARGET = 3;

export function signupLoad(prefix: string): Omit<LoadOptions, 'url'> {
  return {
    method: 'POST',
    path: '/lists/newsletter/subscribe',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    request: (n) => ({
      body: JSON.stringify({ email: `${prefix}-${n}@example.com` }),
      headers: { 'x-forwarded-for': clientAddress(n) },
    }),
  };
}

export async function run(): Promise<BenchResult[]> {
  const server = await startListgate();
  let measured;
  try {
    await load({ ...signupLoad('warm'), url: server.url, seconds: 2 });
    measured = await load({ ...signupLoad('run'), url: server.url, pid: server.pid });
  } finally {
    await server.stop();
  }
  const ceiling = await measureCeiling(signupLoad('ceiling'));
  const ratio = measured.rps / ceiling.rps;
  const bad = measured.non2xx + measured.errors + measured.timeouts;
  return [
    {
      name: 'signup throughput (POST /lists/newsletter/subscribe, 50 conns)',
      value: Math.round(measured.rps),
      unit: 'req/s',
      ceiling: Math.round(ceiling.rps),
      ratio,
      target: `ratio >= ${TARGET}`,
      pass: bad === 0 && ratio >= TARGET,
      note: [`listgate p99 ${measured.p99.toFixed(1)} ms, ceiling p99 ${ceiling.p99.toFixed(1)} ms`, cpuNote(measured, ceiling), bad ? `${bad} non-2xx/errors` : ''].filter(Boolean).join('; '),
    },
    {
      name: 'signup p99 answer time (POST /lists/newsletter/subscribe, 50 conns)',
      value: Number(measured.p99.toFixed(1)),
      unit: 'ms p99',
      ceiling: Number(ceiling.p99.toFixed(1)),
      ratio: measured.p99 / ceiling.p99,
      target: `p99 ratio <= ${P99_TARGET}`,
      pass: bad === 0 && measured.p99 / ceiling.p99 <= P99_TARGET,
      note: `p50 ${measured.p50.toFixed(1)} vs ${ceiling.p50.toFixed(1)} ms, same runs as the throughput row`,
    },
  ];
}
