import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { createApp } from './app';
import { ConfigError, loadConfig, type Config } from './config';
import type { AppEnv, Deps, Logger, Mailer } from './deps';
import { releaseAllLeases } from './db/queries/outbox';
import { acquireServerLock, ServerLockError } from './db/server-lock';
import { startCheckpointer } from './db/checkpointer';
import { openSqlite } from './db/sqlite';
import { openExportDb } from './db/sqlite-reader';
import { addressOnRecord } from './domain/address';
import type { HashKey } from './domain/ids';
import { staticFiles } from './http/static-files';
import { jsonLogger, safeErrorText, type LogFormat } from './logger';
import { startDrainLoop } from './mail/drain-loop';
import { logMailer } from './mail/log';
import { nodeMxLookup } from './mail/mx';
import { resendMailer } from './mail/resend';
import { sesMailerFromConfig } from './mail/ses';
import { smtpMailer } from './mail/smtp';
import { targetPolicy } from './domain/webhook-target';
import { releasePushLeases } from './db/queries/push';
import { nodeWebhookTransport, systemResolver } from './push/http-node';
import { startPushLoop } from './push/loop';
import { webhookSender } from './push/webhook';
import { resendSyncSenders } from './push/resend-sync';

import { memoryRateLimiter } from './ratelimit/memory';
import { prepareInstallation, recordPublicUrl } from './services/installation';
import { mailboxHashes } from './services/mailbox';
import { runMaintenance } from './services/maintenance';
import { queueDueReminders } from './services/reminders';

/** How often Node looks for reminders that became due. */
const REMINDER_EVERY_MS = 10_000;

/** The whole shutdown, requests and outbox included, fits in this; the contract allows 10 s. */
export const SHUTDOWN_MS = 8000;

/**
 * Routes whose request bodies may be large and slow (the streamed import of a later issue): the
 * small-body timer does not apply to them, only the server's long backstop.
 */
export const LONG_BODY_ROUTE = /^\/v1\/lists\/[^/?]+\/imports(?:[/?]|$)/;
const LONG_BODY_BACKSTOP_MS = 60 * 60_000;

function buildMailer(config: Config, mailLog: Logger, hashKey: HashKey): Mailer {
  if (config.mailTransport === 'resend') return resendMailer({ apiKey: config.RESEND_API_KEY!, baseUrl: config.RESEND_BASE_URL });
  if (config.mailTransport === 'smtp') return smtpMailer({ url: config.SMTP_URL! });
  if (config.mailTransport === 'ses') return sesMailerFromConfig(config);
  // In production a log transport (set on purpose) names each recipient by its mailbox's keyed hash,
  // the one suppressions and erasures hold.
  const identify = config.production ? async (to: string) => (await mailboxHashes({ hashKey }, addressOnRecord(to)?.key ?? to.toLowerCase())).mailboxHash : undefined;
  return logMailer(mailLog, { identify });
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

/** JSON lines, except for a person at a terminal in development (LOG_FORMAT overrides). */
function logFormat(config: Config): LogFormat {
  return config.LOG_FORMAT ?? (!config.production && process.stdout.isTTY ? 'pretty' : 'json');
}

/**
 * Timeouts for small bodies: headers within HTTP_HEADERS_TIMEOUT_MS, the whole request within
 * HTTP_REQUEST_TIMEOUT_MS (a slow sender is cut off, its socket closed), except LONG_BODY_ROUTE.
 */
function limitRequestTime(server: Server, config: Config) {
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (LONG_BODY_ROUTE.test(req.url ?? '')) return;
    const timer = setTimeout(() => {
      if (!req.complete) req.socket.destroy();
    }, config.HTTP_REQUEST_TIMEOUT_MS);
    res.once('close', () => clearTimeout(timer));
  });
}

/** How long a Resend sync call waits for its turn (mail first) before its delivery is put back. */
const SYNC_MAX_WAIT_MS = 5000;

/** Builds every Node port from the environment and starts serving; answers a stop function. */
export async function startNode(env: Record<string, string | undefined> = process.env) {
  const config = loadConfig(env);
  const format = logFormat(config);
  const logger = jsonLogger(config.LOG_LEVEL, undefined, { format });
  // One server per database, decided before anything touches the file (migrations, leases).
  const lock = acquireServerLock(config.DATABASE_PATH);
  const clock = { now: () => Date.now() };
  const sqlite = openSqlite(config.DATABASE_PATH);
  const { tokens, hashKey } = await prepareInstallation(sqlite.db, config, clock, logger);
  // The log transport's mail is the delivery itself: in development it shows the whole mail, recipient included.
  const mailLog = config.production ? jsonLogger('info', undefined, { format }) : jsonLogger('info', undefined, { format, clearAddresses: true });
  const mailer = buildMailer(config, mailLog, hashKey);
  // Signups', confirms' and unsubscribes' writes on a thread of their own (src/db/writer-thread.ts).
  const writer = sqlite.startWriterThread((error) => logger.error('database writer thread failed', { error }));
  const ports = { config, db: sqlite.db, atomic: writer?.atomic ?? sqlite.atomic, mailer, clock, logger, tokens, hashKey };
  const outbox = startDrainLoop(ports);
  // Outbound webhooks: their own loop over the changes feed, beside the requests, never in one.
  const resolveHost = systemResolver;
  const webhookTransport = nodeWebhookTransport({ resolve: resolveHost, policy: targetPolicy(config), timeoutMs: config.WEBHOOK_TIMEOUT_MS });
  const pushes = startPushLoop(ports, { webhook: webhookSender(webhookTransport), ...resendSyncSenders(config, SYNC_MAX_WAIT_MS) });
  const exportDb = openExportDb(sqlite);
  // The WAL is copied into the file beside the requests, not in the commit of one of them.
  const checkpointer = config.DATABASE_PATH === ':memory:' ? null : startCheckpointer(config.DATABASE_PATH, { onError: (error) => logger.warn('checkpoint failed; the next commit checkpoints instead', { error }) });
  const shuttingDown = new AbortController();
  const deps: Deps = {
    ...ports,
    exportDb: exportDb.db,
    tokens,
    hashKey,
    stopping: shuttingDown.signal,
    outbox,
    rateLimiter: memoryRateLimiter(clock),
    fetch: globalThis.fetch.bind(globalThis),
    mx: nodeMxLookup(),
    resolveHost,
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
  // Reminders become due within 15 seconds of their time.
  const reminderTimer = setInterval(() => void queueDueReminders(deps).catch((err) => logger.error('reminders failed', { error: safeErrorText(err) })), REMINDER_EVERY_MS);
  reminderTimer.unref();

  let port = config.PORT;
  const server = await new Promise<Server>((resolve) => {
    const s = serve(
      {
        fetch: nodeFetch(app, config),
        hostname: config.HOST,
        port: config.PORT,
        serverOptions: {
          headersTimeout: config.HTTP_HEADERS_TIMEOUT_MS,
          requestTimeout: LONG_BODY_BACKSTOP_MS,
          // How often Node checks the two timeouts above (its default is 30 s).
          connectionsCheckingInterval: Math.min(1000, config.HTTP_HEADERS_TIMEOUT_MS),
        },
      },
      (info) => {
        port = info.port;
        // Without PUBLIC_URL, links name where we really listen (PORT=0, another port): the printed
        // confirmation link must work. Set here, on 'listening', before any request is read.
        if (!env.PUBLIC_URL) config.PUBLIC_URL = localUrl(config.HOST, port);
        resolve(s as Server);
      },
    ) as Server;
    limitRequestTime(s, config);
  });
  // The CLI on this database writes links with the same origin as the server's mail.
  await recordPublicUrl(sqlite.db, config.PUBLIC_URL);
  // Where to point a browser is always said, whatever LOG_LEVEL holds back (short of silent).
  const announce = jsonLogger(config.LOG_LEVEL === 'silent' ? 'silent' : 'info', undefined, { format });
  announce.info(`listgate is listening on http://${config.HOST}:${port} (mail: ${mailer.name})`, { url: `http://${config.HOST}:${port}`, publicUrl: config.PUBLIC_URL, mail: mailer.name });
  announce.info(`Point a browser at ${config.PUBLIC_URL}/lists/newsletter to sign up.`);

  let stopping: Promise<void> | null = null;
  /**
   * Stops accepting, lets requests in flight finish, lets the outbox's provider request and the
   * webhook attempts in flight answer (all within SHUTDOWN_MS), releases their leases and closes
   * the database.
   */
  const stop = () =>
    (stopping ??= (async () => {
      const deadline = Date.now() + SHUTDOWN_MS;
      // A running import stops after the chunk it is writing (tens of milliseconds) and answers.
      shuttingDown.abort();
      clearInterval(maintenanceTimer);
      clearInterval(reminderTimer);
      const closed = new Promise<void>((r) => server.close(() => r()));
      // A keep-alive connection whose request just finished would otherwise linger for its timeout.
      const idleCloser = setInterval(() => server.closeIdleConnections(), 100);
      server.closeIdleConnections();
      const outboxStopped = outbox.stop(Math.max(0, deadline - Date.now() - 500));
      const pushesStopped = pushes.stop(Math.max(0, deadline - Date.now() - 500));
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([closed, new Promise<void>((r) => (timer = setTimeout(r, Math.max(0, deadline - Date.now() - 500))))]);
      clearTimeout(timer);
      clearInterval(idleCloser);
      // What still runs past the deadline (a download nobody reads) is cut off.
      server.closeAllConnections();
      const finished = await outboxStopped;
      // A provider request that has not answered leaves its batch in doubt: free it, so the next
      // start resends it under the same idempotency key.
      if (!finished) await releaseAllLeases(sqlite.db).catch((err) => logger.warn('outbox leases not released', { error: safeErrorText(err) }));
      // A webhook attempt still unanswered is sent again after the next start, under the same id.
      if (!(await pushesStopped)) await releasePushLeases(sqlite.db).catch((err) => logger.warn('webhook leases not released', { error: safeErrorText(err) }));
      webhookTransport.close();
      exportDb.close();
      await writer?.stop();
      await checkpointer?.stop();
      sqlite.close();
      lock.release();
    })());
  return { app, deps, port, stop, sqlite };
}

/** Runs the server until SIGTERM or SIGINT (either one, any number of times), then exits. */
function main() {
  // Before the configuration is known: plain JSON lines on stderr.
  const bootLog = jsonLogger('error', (line) => console.error(line));
  const started = startNode();
  let signalled = false;
  // Listening from the first moment: a signal that comes while the server is still starting (a
  // supervisor reacting to the "listening" line) stops it as soon as it has started.
  const shutdown = (signal: NodeJS.Signals) => {
    // A terminal's Ctrl-C reaches both npm and this process, and npm forwards it again.
    if (signalled) return;
    signalled = true;
    started.then(({ stop, deps }) => {
      deps.logger.info('shutting down', { signal });
      setTimeout(() => {
        deps.logger.error('shutdown took too long; exiting anyway');
        process.exit(1);
      }, SHUTDOWN_MS + 1500).unref();
      stop().then(
        () => {
          deps.logger.info('stopped');
          process.exit(0);
        },
        (err) => {
          deps.logger.error('shutdown failed', { error: safeErrorText(err) });
          process.exit(1);
        },
      );
    }, () => {});
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  started.catch((err) => {
    const known = err instanceof ConfigError || err instanceof ServerLockError;
    bootLog.error(known ? `listgate: ${err.message}` : 'listgate failed to start', known ? {} : { error: safeErrorText(err), where: (err as Error).stack?.split('\n').slice(1, 4).join(' | ') });
    process.exit(1);
  });
}

const isMain = process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/').split('/').pop()!);
if (isMain) main();
