import { createApp } from './app';
import { prepareInstallation } from './bootstrap';
import { loadConfig } from './config';
import type { Deps } from './deps';
import { openD1 } from './db/d1';
import { purgeExpiredPending } from './db/queries/subscriptions';
import { jsonLogger } from './logger';
import { logMailer } from './mail/log';
import { drainDue } from './mail/outbox';
import { resendMailer } from './mail/resend';
import { memoryRateLimiter } from './ratelimit/memory';

export type Bindings = { DB: D1Database } & Record<string, unknown>;

type Built = { deps: Deps; app: ReturnType<typeof createApp> };
let built: Promise<Built> | null = null;

/** Deps are built once per isolate from the bindings (config validated with zod). */
function build(env: Bindings): Promise<Built> {
  built ??= (async () => {
    const strings = Object.fromEntries(Object.entries(env).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
    const config = loadConfig({ PUBLIC_URL: 'http://localhost:8787', ...strings });
    if (config.mailTransport === 'smtp') throw new Error('MAIL_TRANSPORT=smtp is not available on Workers; use resend');
    const logger = jsonLogger(config.LOG_LEVEL);
    const clock = { now: () => Date.now() };
    const { db, atomic } = openD1(env.DB);
    const { tokens, hashKey } = await prepareInstallation(db, config, clock, logger);
    const mailer = config.mailTransport === 'resend' ? resendMailer({ apiKey: config.RESEND_API_KEY!, baseUrl: config.RESEND_BASE_URL }) : logMailer(logger);
    const deps: Deps = {
      config,
      db,
      atomic,
      mailer,
      clock,
      tokens,
      hashKey,
      logger,
      rateLimiter: memoryRateLimiter(clock),
      outbox: { wake() {} },
      fetch: globalThis.fetch.bind(globalThis),
    };
    return { deps, app: createApp(deps) };
  })().catch((err) => {
    built = null;
    throw err;
  });
  return built;
}

export default {
  async fetch(request: Request, env: Bindings, ctx: ExecutionContext): Promise<Response> {
    const { app, deps } = await build(env);
    const scoped: Deps = {
      ...deps,
      background: (work) => ctx.waitUntil(work),
      // A signup's mail goes out right away after the answer; the cron picks up anything left.
      outbox: { wake: () => ctx.waitUntil(drainDue(deps, 1).catch((err) => deps.logger.error('drain failed', { error: String(err) }))) },
    };
    return createApp(scoped).fetch(request, { clientIp: request.headers.get('cf-connecting-ip') ?? 'unknown' }, ctx);
  },

  async scheduled(_event: ScheduledController, env: Bindings, ctx: ExecutionContext): Promise<void> {
    const { deps } = await build(env);
    ctx.waitUntil(
      (async () => {
        await drainDue(deps, 20, { spacingMs: 1000 / deps.config.MAIL_RATE_PER_SECOND });
        await purgeExpiredPending(deps.db, deps.clock.now());
      })(),
    );
  },
};
