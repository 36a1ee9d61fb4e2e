import { join } from 'node:path';
import { startServer, tempDir, type Server } from './processes';

export const BENCH_TOKEN_SECRET = 'bench-secret-bench-secret-bench-secret!';
export const BENCH_ADMIN_TOKEN = 'bench-admin-token-0123456789';
const HUGE = String(1e9);

/** A fresh temp SQLite path for one listgate process. */
export const benchDatabasePath = () => join(tempDir('db'), 'listgate.db');

/**
 * listgate as an operator runs it (`tsx src/node.ts`), in its own process, on a temp database:
 * TRUST_PROXY=1 so each request can name its own client address, rate limits raised out of the
 * way, warnings only in the log, the log mail transport (stdout goes to a file, see startServer).
 */
export function startListgate(env: Record<string, string> = {}, nodeArgs?: string[]): Promise<Server> {
  return startServer(
    'src/node.ts',
    {
      NODE_ENV: 'development',
      DATABASE_PATH: env.DATABASE_PATH ?? benchDatabasePath(),
      TOKEN_SECRET: BENCH_TOKEN_SECRET,
      ADMIN_TOKEN: BENCH_ADMIN_TOKEN,
      TRUST_PROXY: '1',
      RATE_LIMIT_SIGNUP_BURST: HUGE,
      RATE_LIMIT_SIGNUP_PER_MINUTE: HUGE,
      RATE_LIMIT_LIST_PER_MINUTE: HUGE,
      RATE_LIMIT_ACTION_PER_MINUTE: HUGE,
      LOG_LEVEL: 'warn',
      MAIL_TRANSPORT: 'log',
      ...env,
    },
    { nodeArgs: [...(nodeArgs ?? []), ...(process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [])] },
  );
}

/** A distinct IPv4 client address for request n (10.0.0.0/8 holds 16M). */
export const clientAddress = (n: number) => `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;

/**
 * With BENCH_WEBHOOK=1: a webhook on every event of every list, to a receiver in this process that
 * answers 204 and counts, so a scenario measures its requests while the server also pushes every
 * feed event it writes. Answers how many deliveries arrived, and a stop function.
 */
export async function benchWebhook(server: Server): Promise<{ received(): number; stop(): Promise<void> } | null> {
  if (process.env.BENCH_WEBHOOK !== '1') return null;
  const { createServer } = await import('node:http');
  let received = 0;
  const receiver = createServer((req, res) => {
    req.resume().on('end', () => {
      received++;
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const { port } = receiver.address() as { port: number };
  const res = await fetch(`${server.url}/v1/webhooks`, {
    method: 'POST',
    headers: { authorization: `Bearer ${BENCH_ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ url: `http://127.0.0.1:${port}/hook`, events: ['subscriber.confirmed', 'subscriber.unsubscribed', 'subscriber.suppressed', 'subscriber.erased'] }),
  });
  if (res.status !== 201) throw new Error(`webhook: ${res.status} ${await res.text()}`);
  return { received: () => received, stop: () => new Promise<void>((r) => receiver.close(() => r())) };
}
