import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { createApp } from '../../src/app';
import { nodeFetch } from '../../src/node';
import { prepareInstallation } from '../../src/services/installation';
import { loadConfig } from '../../src/config';
import type { Deps, Mailer, SendOutcome } from '../../src/deps';
import type { OutboxMessage } from '../../src/db/schema';
import { openSqlite } from '../../src/db/sqlite';
import { staticFiles } from '../../src/http/static-files';
import { jsonLogger } from '../../src/logger';
import { drainDue } from '../../src/mail/drain';
import { memoryRateLimiter } from '../../src/ratelimit/memory';
import { runMaintenance } from '../../src/services/maintenance';

export type TestClock = { now(): number; set(ms: number): void; advance(ms: number): void };

export function testClock(start = Date.UTC(2026, 10, 1, 12)): TestClock {
  let t = start;
  return { now: () => t, set: (ms) => void (t = ms), advance: (ms) => void (t += ms) };
}

/** A mailer that records every mail it is handed; `fail` makes the next sends fail retryably. */
export function recordingMailer() {
  const sent: OutboxMessage[] = [];
  let failures = 0;
  const mailer: Mailer & { sent: OutboxMessage[]; failNext(n: number): void } = {
    name: 'memory',
    maxBatch: 100,
    sent,
    failNext: (n) => void (failures = n),
    async send(messages): Promise<SendOutcome> {
      if (failures > 0) {
        failures--;
        return { ok: false, retryable: true, error: 'test failure' };
      }
      sent.push(...messages);
      return { ok: true, results: messages.map(() => ({ id: crypto.randomUUID() })) };
    },
  };
  return mailer;
}

/** The app on an in-memory SQLite with a recording mailer and a settable clock. */
/** src/public as the Node server serves it (Workers serve it as static assets). */
const publicFiles = staticFiles(fileURLToPath(new URL('../../src/public', import.meta.url)));

export async function testApp(env: Record<string, string> = {}, overrides: Partial<Deps> = {}) {
  // The per-client action limit is high here so suites that confirm many subscribers from one
  // client are not throttled; the tests of that limit set their own.
  const config = loadConfig({ LOG_LEVEL: 'silent', TOKEN_SECRET: 'test-secret-test-secret-test-secret!!', RATE_LIMIT_ACTION_PER_MINUTE: '100000', ...env });
  const clock = testClock();
  const logs: string[] = [];
  const logger = jsonLogger(env.LOG_LEVEL === 'silent' ? 'silent' : 'debug', (l) => logs.push(l));
  const sqlite = openSqlite(':memory:');
  const { tokens, hashKey } = await prepareInstallation(sqlite.db, config, clock, logger);
  const mailer = recordingMailer();
  const deps: Deps = {
    config,
    db: sqlite.db,
    atomic: sqlite.atomic,
    mailer,
    clock,
    tokens,
    hashKey,
    logger,
    rateLimiter: memoryRateLimiter(clock),
    outbox: { wake() {} },
    fetch: async () => {
      throw new Error('tests must inject fetch');
    },
    staticFile: publicFiles,
    ...overrides,
  };
  const app = createApp(deps);
  /** Delivers every queued mail through the recording mailer, as the drain loop would. */
  const deliver = async () => drainDue(deps, 100);
  /** Runs the periodic housekeeping once, as the Node timer and the Workers cron do. */
  const maintain = () => runMaintenance(deps);
  return { app, deps, clock, mailer, sqlite, logs, deliver, maintain };
}

export type TestApp = Awaited<ReturnType<typeof testApp>>;

/** Signs up via JSON and returns the response. */
export function signup(t: TestApp, email: string, opts: { list?: string; name?: string; ip?: string; headers?: Record<string, string> } = {}) {
  return t.app.request(
    `/lists/${opts.list ?? 'newsletter'}/subscribe`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...opts.headers },
      body: JSON.stringify({ email, ...(opts.name ? { name: opts.name } : {}) }),
    },
    { clientIp: opts.ip ?? '203.0.113.1' },
  );
}

/** A request from a client address (the socket's on Node, CF-Connecting-IP on Workers). */
export function from(t: TestApp, ip: string, path: string, init: RequestInit = {}) {
  return t.app.request(path, init, { clientIp: ip });
}

/** The app behind a real @hono/node-server on 127.0.0.1 as src/node.ts serves it, so the client address is the socket's. */
export async function served(t: TestApp) {
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: nodeFetch(t.app, t.deps.config), hostname: '127.0.0.1', port: 0 }, () => resolve(s));
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { base, close: () => new Promise<void>((r) => server.close(() => r())) };
}
