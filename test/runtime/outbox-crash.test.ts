import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { outboxStats } from '../../src/db/queries/outbox';
import { outboxBatches } from '../../src/db/schema';
import { openSqlite } from '../../src/db/sqlite';
import { type ResendImitation, startResendImitation } from '../support/fakes/resend/node';
import { perTest } from '../support/scratch';
import { until } from '../support/until';
import type { ListeningServer } from '../support/server-process';

const { later, start } = perTest();

/**
 * Signs up new addresses from `workers` clients until stopped. Answers the addresses that got 202,
 * every other answer (each one fails the test), and `done`, which settles once every client has
 * stopped: a client stops early only by throwing, which fails the test too.
 */
function burst(server: ListeningServer, workers: number) {
  const accepted: string[] = [];
  const refused: string[] = [];
  let stopped = false;
  let n = 0;
  const run = async () => {
    while (!stopped) {
      const email = `burst-${n++}@example.com`;
      let res: Response;
      try {
        res = await fetch(`http://127.0.0.1:${server.port}/lists/newsletter/subscribe`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email }),
        });
      } catch (err) {
        if (stopped) return; // the connection the kill cut
        throw err;
      }
      if (res.status === 202) accepted.push(email);
      else refused.push(`${email}: ${res.status} ${await res.text()}`);
    }
  };
  const done = Promise.allSettled(Array.from({ length: workers }, run));
  return { accepted, refused, stop: () => void (stopped = true), done };
}

describe('SIGKILL during a burst of signups', () => {
  it('every signup that got 202 receives exactly one mail once the server is back on the same database', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'listgate-crash-'));
    later(() => rmSync(dir, { recursive: true, force: true }));
    // Latency keeps a provider request in flight most of the time, so the kill lands inside one.
    const api: ResendImitation = await startResendImitation({ latencyMs: 300, rateLimitPerSecond: 2 });
    later(() => api.close());
    const env = {
      DATABASE_PATH: join(dir, 'listgate.db'),
      MAIL_TRANSPORT: 'resend',
      RESEND_API_KEY: 're_test',
      RESEND_BASE_URL: api.baseUrl,
      MAIL_FROM: 'listgate <news@example.com>',
      TOKEN_SECRET: 'crash-test-secret-crash-test-secret!',
      LOG_LEVEL: 'warn',
      RATE_LIMIT_SIGNUP_BURST: '100000',
      RATE_LIMIT_SIGNUP_PER_MINUTE: '100000',
      RATE_LIMIT_LIST_PER_MINUTE: '100000',
    };

    const first = await start(env);
    const signups = burst(first, 6);
    await until(() => api.requests.length >= 2 && signups.accepted.length >= 150, 'a busy outbox', 60_000);
    await until(() => api.requests.at(-1)?.outcome === 'pending', 'a request in flight', 30_000);
    signups.stop();
    await first.kill('SIGKILL');
    const clients = await signups.done;
    expect(clients.flatMap((c) => (c.status === 'rejected' ? [String(c.reason)] : []))).toEqual([]);
    expect(signups.refused).toEqual([]);
    const accepted = [...signups.accepted];
    const mailedBeforeKill = api.sent.length;
    expect(accepted.length).toBeGreaterThan(mailedBeforeKill); // the restart has work left to do

    const second = await start(env);
    await until(() => accepted.every((a) => api.mailsTo(a).length > 0), 'every accepted signup to be mailed', 60_000);

    // SIGTERM stops it cleanly, after the request in flight: from here on nothing more can be sent.
    await second.kill('SIGTERM');
    expect(accepted.filter((a) => api.mailsTo(a).length !== 1)).toEqual([]);
    const perRecipient = new Map<string, number>();
    for (const m of api.sent) perRecipient.set(m.recipients[0], (perRecipient.get(m.recipients[0]) ?? 0) + 1);
    expect([...perRecipient].filter(([, n]) => n > 1)).toEqual([]);
    expect(api.requests.filter((r) => r.outcome === 'rate_limited')).toEqual([]);

    // Nothing left open or in doubt in the database it leaves behind.
    const { db, close } = openSqlite(env.DATABASE_PATH);
    later(close);
    expect(await db.select().from(outboxBatches).where(eq(outboxBatches.state, 'open')).all()).toEqual([]);
    expect(await outboxStats(db)).toMatchObject({ queued: 0, failed: 0, sent: perRecipient.size });
  }, 180_000);
});
