/**
 * The ceiling for request benchmarks: what Hono on @hono/node-server and one better-sqlite3
 * INSERT per request can do at all. It parses the same JSON body listgate gets and inserts
 * one row (WAL, synchronous=NORMAL, as listgate's own connection).
 */
import { serve } from '@hono/node-server';
import Database from 'better-sqlite3';
import { Hono } from 'hono';

const db = new Database(process.env.DATABASE_PATH!);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.exec('CREATE TABLE IF NOT EXISTS rows (id INTEGER PRIMARY KEY, value TEXT NOT NULL, at INTEGER NOT NULL)');
const insert = db.prepare('INSERT INTO rows (value, at) VALUES (?, ?)');

const app = new Hono();
app.post('*', async (c) => {
  const body = (await c.req.json()) as { email?: string; token?: string };
  insert.run(body.email ?? body.token ?? '', Date.now());
  return c.json({ status: 'ok' }, 202);
});

const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info) => {
  console.log(`ceiling listening on http://127.0.0.1:${info.port}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
