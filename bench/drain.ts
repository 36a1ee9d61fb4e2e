/**
 * Outbox drain benchmark (not a test): queues N mails straight into a fresh SQLite file, drains
 * them through the real resend SDK into the local Resend imitation while it enforces
 * `rateLimitPerSecond` like Resend's team limit, and prints mails/s against the ceiling that limit
 * allows: rate x the mailer's batch size (2 requests/s x 100 mails = 200 mails/s).
 *
 *   npx tsx bench/drain.ts            # 5,000 mails, 2 requests/s on both sides
 *   BENCH_MAILS=1000 MAIL_RATE_PER_SECOND=4 npx tsx bench/drain.ts
 *
 * The window: from starting the drain until it is idle, plus one request interval (1/rate). The N
 * requests start at least one interval apart, the first after the drain starts, so the window holds
 * at least N intervals and the measured rate cannot exceed the ceiling. (Counting N requests over
 * the N-1 gaps between them, as this did before, could: 202 mails/s against 200; so could arrival
 * times at the imitation, whose first request also pays for opening the connection.)
 * Target: at least 0.9 of the ceiling, every mail delivered once, none refused or failed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config';
import { outboxStats } from '../src/db/queries/outbox';
import { openSqlite } from '../src/db/sqlite';
import { jsonLogger } from '../src/logger';
import { startDrainLoop } from '../src/mail/drain-loop';
import { resendMailer } from '../src/mail/resend';
import { addressesFor, queueMails } from '../test/support/outbox';
import { startResendImitation } from '../test/support/fakes/resend/node';
import { printResults } from './lib/types';

const TARGET = 0.9;
const mails = Number(process.env.BENCH_MAILS ?? 5000);
const rate = Number(process.env.MAIL_RATE_PER_SECOND ?? 2);
const dir = mkdtempSync(join(tmpdir(), 'listgate-bench-'));
const api = await startResendImitation({ rateLimitPerSecond: rate });
const sqlite = openSqlite(join(dir, 'bench.db'));
try {
  const config = loadConfig({ MAIL_RATE_PER_SECOND: String(rate), LOG_LEVEL: 'warn' });
  const clock = { now: () => Date.now() };
  await queueMails(sqlite.db, addressesFor('bench', mails), clock.now());
  const mailer = resendMailer({ apiKey: 're_bench', baseUrl: api.baseUrl });
  const t0 = performance.now();
  const loop = startDrainLoop({ config, db: sqlite.db, atomic: sqlite.atomic, mailer, clock, logger: jsonLogger('warn') });
  await loop.idle();
  const wall = (performance.now() - t0) / 1000;
  await loop.stop();
  const stats = await outboxStats(sqlite.db);
  const outcomes = api.requests.reduce<Record<string, number>>((a, r) => ({ ...a, [r.outcome]: (a[r.outcome] ?? 0) + 1 }), {});
  const accepted = api.requests.filter((r) => r.outcome === 'accepted');
  const delivered = accepted.reduce((n, r) => n + r.acceptedCount, 0);
  const unique = new Set(api.sent.map((m) => m.recipients[0])).size;
  const seconds = wall + 1 / rate;
  const measured = delivered / seconds;
  const ceiling = rate * mailer.maxBatch;
  const ratio = measured / ceiling;
  const clean = stats.sent === mails && unique === mails && api.sent.length === mails && stats.failed === 0 && accepted.length === api.requests.length;
  console.log(`drained ${stats.sent} of ${mails} mails in ${accepted.length} requests; window ${seconds.toFixed(2)} s (${wall.toFixed(2)} s until idle + 1/rate): ${measured.toFixed(1)} mails/s`);
  console.log(`limit ${rate} requests/s x ${mailer.maxBatch} mails -> ceiling ${ceiling} mails/s, ratio ${ratio.toFixed(3)} (target >= ${TARGET}) ${ratio >= TARGET && clean ? 'ok' : 'MISSED'}`);
  console.log(`requests: ${JSON.stringify(outcomes)}; delivered ${api.sent.length} (${unique} distinct), failed ${stats.failed}`);
  printResults([
    {
      name: `outbox drain against the Resend imitation at ${rate} req/s (${mails.toLocaleString('en')} mails)`,
      value: measured,
      unit: 'mails/s',
      ceiling,
      ratio,
      target: `ratio >= ${TARGET}, every mail delivered once`,
      pass: clean && ratio >= TARGET,
      note: `${accepted.length} requests in ${seconds.toFixed(2)} s (drain start to idle + 1/rate); requests ${JSON.stringify(outcomes)}; ${unique} distinct recipients, ${stats.failed} failed`,
    },
  ]);
  process.exitCode = clean && ratio >= TARGET ? 0 : 1;
} finally {
  sqlite.close();
  await api.close();
  rmSync(dir, { recursive: true, force: true });
}
