import type { IncomingMessage } from 'node:http';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { createApp } from './app';
import { ConfigError, loadConfig, type Config } from './config';
import type { AppEnv, Deps, Logger, Mailer } from './deps';
import { openSqlite } from './db/sqlite';
import { openExportDb } from './db/sqlite-reader';
import { staticFiles } from './http/static-files';
import { jsonLogger } from './logger';
import { startDrainLoop } from './mail/drain-loop';
import { logMailer } from './mail/log';
import { nodeMxLookup } from './mail/mx';
import { resendMailer } from './mail/resend';
import { smtpMailer } from './mail/smtp';
import { memoryRateLimiter } from './ratelimit/memory';
import { prepareInstallation } from './services/installation';
import { runMaintenance } from './services/maintenance';

function buildMailer(config: Config, logger: Logger): Mailer {
  if (config.mailTransport === 'resend') return resendMailer({ apiKey: config.RESEND_API_KEY!, baseUrl: config.RESEND_BASE_URL });
  if (config.mailTransport === 'smtp') return smtpMailer({ url: config.SMTP_URL! });
  return logMailer(logger);
}

/**
 * The client address as TRUST_PROXY says. Only the rightmost X-Forwarded-For entry is trusted: it
 * is the one our own proxy appended, everything left of it is whatever the client claimed.
 */
export function nodeClientIp(config: Pick<Config, 'TRUST_PROXY'>, incoming: IncomingMessage | undefined): string {
  if (config.TRUST_PROXY) {
    const xff = incoming?.headers['x-forwarded-for'];
    const last = (Array.isArray(xff) ? xff.join(',') : xff)?.split(',').map((s) => s.trim()).filter(Boolean).pop();
    if (last) return last;
  }
  return incoming?.socket?.remoteAddress ?? 'unknown';
}

/** The app as @hono/node-server calls it: each request carries the client address this entry knows. */
export function nodeFetch(app: { fetch: (request: Request, env: AppEnv['Bindings']) => Response | Promise<Response> }, config: Pick<Config, 'TRUST_PROXY'>) {
  return (request: Request, env: unknown) => app.fetch(request, { clientIp: nodeClientIp(config, (env as { incoming?: IncomingMessage }).incoming) });
}

/** The origin a browser on this machine uses to reach HOST:PORT. */
function localUrl(host: string, port: number): string {
  const loopback = ['127.0.0.1', 'localhost', '0.0.0.0', '::', '::1', ''].includes(host);
  const name = loopback ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return `http://${name}:${port}`;
}

/** Builds every Node port from the environment and starts serving; answers a stop function. */
export async function startNode(env: Record<string, string | undefined> = process.env) {
  const config = loadConfig(env);
  const logger = jsonLogger(config.LOG_LEVEL);
  const clock = { now: () => Date.now() };
  const sqlite = openSqlite(config.DATABASE_PATH);
  const { tokens, hashKey } = await prepareInstallation(sqlite.db, config, clock, logger);
  const mailer = buildMailer(config, logger);
  const ports = { config, db: sqlite.db, atomic: sqlite.atomic, mailer, clock, logger };
  const outbox = startDrainLoop(ports);
  const exportDb = openExportDb(sqlite);
  const deps: Deps = {
    ...ports,
    exportDb: exportDb.db,
    tokens,
    hashKey,
    outbox,
    rateLimiter: memoryRateLimiter(clock),
    fetch: globalThis.fetch.bind(globalThis),
    mx: nodeMxLookup(),
    // src/public, or dist/public in the build: the same path relative to this entry.
    staticFile: staticFiles(fileURLToPath(new URL('./public', import.meta.url))),
  };
  const app = createApp(deps);

  await runMaintenance(deps);
  // Every 10 minutes, or more often when tokens live shorter (CONFIRM_TTL_HOURS=0.01 in a trial),
  // so a pending signup never outlives its token by more than a fraction of the token's life.
  const maintenanceEveryMs = Math.min(10 * 60_000, Math.max(1000, (config.CONFIRM_TTL_HOURS * 3_600_000) / 10));
  const maintenanceTimer = setInterval(() => void runMaintenance(deps), maintenanceEveryMs);
  maintenanceTimer.unref();

  let port = config.PORT;
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve(
      {
        fetch: nodeFetch(app, config),
        hostname: config.HOST,
        port: config.PORT,
      },
      (info) => {
        port = info.port;
        // Without PUBLIC_URL, links name where we really listen (PORT=0, another port): the printed
        // confirmation link must work. Set here, on 'listening', before any request is read.
        if (!env.PUBLIC_URL) config.PUBLIC_URL = localUrl(config.HOST, port);
        resolve(s);
      },
    );
  });
  console.log(`listgate is listening on http://${config.HOST}:${port} (mail: ${mailer.name})`);
  console.log(`Point a browser at ${config.PUBLIC_URL}/lists/newsletter to sign up.`);

  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      clearInterval(maintenanceTimer);
      await new Promise<void>((r) => server.close(() => r()));
      await outbox.stop();
      exportDb.close();
      sqlite.close();
    })());
  return { app, deps, port, stop, sqlite };
}

const isMain = process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/').split('/').pop()!);
if (isMain) {
  startNode().then(
    ({ stop, deps }) => {
      const shutdown = (signal: string) => {
        deps.logger.info('shutting down', { signal });
        stop().then(() => process.exit(0));
      };
      process.once('SIGTERM', () => shutdown('SIGTERM'));
      process.once('SIGINT', () => shutdown('SIGINT'));
    },
    (err) => {
      console.error(err instanceof ConfigError ? `listgate: ${err.message}` : err);
      process.exit(1);
    },
  );
}
