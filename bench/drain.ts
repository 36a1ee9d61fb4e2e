/**
 * Outbox drain benchmark (not a test): queues N mails straight into a fresh SQLite file, drains
 * them through the real resend SDK into the local Resend imitation while it enforces
 * `rateLimitPerSecond` like Resend's team limit, and prints mails/s.
 *
 *   npx tsx bench/drain.ts            # 5,000 mails, 2 requests/s on both sides
 *   BENCH_MAILS=1000 MAIL_RATE_PER_SECOND=4 npx tsx bench/drain.ts
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

const mails = Number(process.env.BENCH_MAILS ?? 5000);
const rate = process.env.MAIL_RATE_PER_SECOND ?? '2';
const dir = mkdtempSync(join(tmpdir(), 'listgate-bench-'));
const api = await startResendImitation({ rateLimitPerSecond: Number(rate) });
const sqlite = openSqlite(join(dir, 'bench.db'));
try {
  const config = loadConfig({ MAIL_RATE_PER_SECOND: rate, LOG_LEVEL: 'warn' });
  const clock = { now: () => Date.now() };
  await queueMails(sqlite.db, addressesFor('bench', mails), clock.now());
  const mailer = resendMailer({ apiKey: 're_bench', baseUrl: api.baseUrl });
  const t0 = performance.now();
  const loop = startDrainLoop({ config, db: sqlite.db, atomic: sqlite.atomic, mailer, clock, logger: jsonLogger('warn') });
  await loop.idle();
  const seconds = (performance.now() - t0) / 1000;
  await loop.stop();
  const stats = await outboxStats(sqlite.db);
  const outcomes = api.requests.reduce<Record<string, number>>((a, r) => ({ ...a, [r.outcome]: (a[r.outcome] ?? 0) + 1 }), {});
  const unique = new Set(api.sent.map((m) => m.recipients[0])).size;
  console.log(`drained ${stats.sent} of ${mails} mails in ${seconds.toFixed(2)} s: ${(stats.sent / seconds).toFixed(1)} mails/s`);
  console.log(`limit ${rate} requests/s -> ceiling ${Number(rate) * 100} mails/s; requests: ${JSON.stringify(outcomes)}; delivered ${api.sent.length} (${unique} distinct), failed ${stats.failed}`);
} finally {
  sqlite.close();
  await api.close();
  rmSync(dir, { recursive: true, force: true });
}
