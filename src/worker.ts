import { AsyncLocalStorage } from 'node:async_hooks';
import { createApp } from './app';
import { ConfigError, loadConfig } from './config';
import type { Deps } from './deps';
import { openD1 } from './db/d1';
import { jsonLogger, safeErrorText } from './logger';
import { drainDue, sendNewBatch } from './mail/drain';
import { logMailer } from './mail/log';
import { resendMailer } from './mail/resend';
import { sesMailerFromConfig } from './mail/ses';
import { targetPolicy } from './domain/webhook-target';
import { pushDue } from './push/dispatch';
import { fetchWebhookTransport } from './push/http-fetch';
import { webhookSender } from './push/webhook';
import { resendSyncSenders } from './push/resend-sync';
import { d1RateLimiter, purgeIdleBuckets } from './ratelimit/d1';
import { prepareInstallation } from './services/installation';
import { runMaintenance, step } from './services/maintenance';
import { queueDueReminders } from './services/reminders';

/**
 * Provider requests per cron run. Each is one subrequest (Workers allow 50 on the free plan,
 * 1000 on paid) carrying up to 100 mails; what is left waits for the next minute.
 */
export const MAX_REQUESTS_PER_RUN = 25;

/** Webhook attempts per cron run (subrequests too, beside the outbox's); the rest waits a minute. */
export const MAX_PUSHES_PER_RUN = 20;

/** How long a Resend sync call waits for its turn in a cron run before its delivery waits for the next run. */
export const SYNC_MAX_WAIT_MS = 2000;

/** IMPORT_MAX_ROWS_PER_REQUEST unless set: 10,000 rows is 5 to 200 chunks of one D1 batch each, within 1,000 queries. */
export const WORKERS_IMPORT_ROWS = 10_000;

/** Buckets idle this long are full again for every limit we configure, so deleting them is free. */
export const BUCKET_IDLE_MS = 24 * 3600_000;

export type ScheduledReport = { requests: number; sent: number; failed: number; purgedPending: number; purgedBuckets: number; webhooks?: { attempted: number; delivered: number; failed: number } };

/**
 * The cron's work: send what the outbox holds (paced at MAIL_RATE_PER_SECOND), outbound webhooks
 * (new feed events and due retries), the shared maintenance (expired signups, health), and idle
 * rate-limit buckets (D1 keeps them in a table).
 */
export async function runScheduled(deps: Deps): Promise<ScheduledReport> {
  const report: ScheduledReport = { requests: 0, sent: 0, failed: 0, purgedPending: 0, purgedBuckets: 0 };
  await step(deps, 'reminders', async () => {
    await queueDueReminders(deps);
  });
  await step(deps, 'drain', async () => {
    Object.assign(report, await drainDue(deps, MAX_REQUESTS_PER_RUN, { spacingMs: 1000 / deps.config.MAIL_RATE_PER_SECOND }));
  });
  await step(deps, 'webhooks', async () => {
    const transport = fetchWebhookTransport({ fetch: deps.fetch, policy: targetPolicy(deps.config), timeoutMs: deps.config.WEBHOOK_TIMEOUT_MS });
    const senders = { webhook: webhookSender(transport), ...resendSyncSenders(deps.config, SYNC_MAX_WAIT_MS) };
    const { attempted, delivered, failed } = await pushDue(deps, senders, MAX_PUSHES_PER_RUN);
    report.webhooks = { attempted, delivered, failed };
  });
  Object.assign(report, await runMaintenance(deps));
  await step(deps, 'purge-buckets', async () => {
    report.purgedBuckets = await purgeIdleBuckets(deps.db, deps.clock.now(), BUCKET_IDLE_MS);
  });
  deps.logger.info('scheduled run', report);
  return report;
}

/** Bindings: the D1 database plus the contract's variables, as [vars] or secrets of the same names. */
export type Bindings = { DB: D1Database } & Record<string, unknown>;


type Built = { deps: Deps; app: ReturnType<typeof createApp> };
let built: Promise<Built> | null = null;

/** The request being served, so the shared deps can hand background work to its waitUntil. */
const current = new AsyncLocalStorage<ExecutionContext>();

/** [vars] may be TOML numbers or booleans; the schema reads strings, as on Node. */
function stringsOf(env: Bindings): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    if (typeof v === 'string') out[k] = v;
    else if (typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
  }
  return out;
}

/** Deps and the app are built once per isolate from the bindings (config validated with zod). */
function build(env: Bindings): Promise<Built> {
  built ??= (async () => {
    if (!env.DB || typeof (env.DB as D1Database).prepare !== 'function') {
      throw new ConfigError('invalid environment:\n  DB: a D1 binding named DB is required (see wrangler.toml)');
    }
    // One import request stays within a Worker's limits (D1 queries and CPU per request): the CLI splits larger files.
    const config = loadConfig({ PUBLIC_URL: 'http://localhost:8787', IMPORT_MAX_ROWS_PER_REQUEST: String(WORKERS_IMPORT_ROWS), ...stringsOf(env) });
    if (config.mailTransport === 'smtp') throw new ConfigError('invalid environment:\n  MAIL_TRANSPORT=smtp is not available on Workers; use resend or ses');
    const logger = jsonLogger(config.LOG_LEVEL);
    const clock = { now: () => Date.now() };
    const { db, atomic } = openD1(env.DB);
    const { tokens, hashKey } = await prepareInstallation(db, config, clock, logger);
    const mailer =
      config.mailTransport === 'resend'
        ? resendMailer({ apiKey: config.RESEND_API_KEY!, baseUrl: config.RESEND_BASE_URL })
        : config.mailTransport === 'ses'
          ? sesMailerFromConfig(config)
          : logMailer(logger);
    const background = (work: Promise<unknown>) => {
      const ctx = current.getStore();
      const guarded = work.catch((err) => logger.error('background work failed', { error: safeErrorText(err) }));
      if (ctx) ctx.waitUntil(guarded);
    };
    const deps: Deps = {
      config,
      db,
      atomic,
      mailer,
      clock,
      tokens,
      hashKey,
      logger,
      rateLimiter: d1RateLimiter(db, clock),
      // A signup's mail goes out right after the answer; the cron picks up anything left.
      outbox: { wake: () => background(sendNewBatch(deps)) },
      fetch: (input, init) => globalThis.fetch(input, init),
      background,
    };
    return { deps, app: createApp(deps) };
  })().catch((err) => {
    built = null;
    throw err;
  });
  return built;
}

/**
 * What went wrong at start-up, without secrets: drizzle's query errors put the bound parameters
 * (the dev token secret, addresses) in their message, so only the driver's own cause is shown.
 */
function describeStartupError(err: unknown): string {
  if (err instanceof ConfigError) return err.message;
  const reason = safeErrorText(err);
  const hint = /no such table/i.test(reason) ? ' (apply the migrations: npx wrangler d1 migrations apply DB --local, or --remote)' : '';
  return `listgate failed to start: ${reason}${hint}`;
}

/** Before the configuration is known, start-up failures still go out as one JSON line. */
const bootLog = jsonLogger('error', (line) => console.error(line));

function misconfigured(err: unknown): Response {
  bootLog.error(describeStartupError(err));
  // The client learns nothing about the configuration; the reason is in the logs (wrangler tail).
  const body = { type: 'about:blank', title: 'Service unavailable', status: 503, detail: 'The service is not configured correctly.' };
  return new Response(JSON.stringify(body), { status: 503, headers: { 'Content-Type': 'application/problem+json' } });
}

export default {
  async fetch(request: Request, env: Bindings, ctx: ExecutionContext): Promise<Response> {
    let app: Built['app'];
    try {
      ({ app } = await build(env));
    } catch (err) {
      return misconfigured(err);
    }
    // Workers always take the client address from CF-Connecting-IP (TRUST_PROXY is Node's).
    const clientIp = request.headers.get('cf-connecting-ip') ?? 'unknown';
    return current.run(ctx, () => app.fetch(request, { clientIp }, ctx));
  },

  async scheduled(_controller: ScheduledController, env: Bindings, ctx: ExecutionContext): Promise<void> {
    let deps: Deps;
    try {
      ({ deps } = await build(env));
    } catch (err) {
      bootLog.error(describeStartupError(err));
      return;
    }
    ctx.waitUntil(runScheduled(deps));
  },
} satisfies ExportedHandler<Bindings>;
