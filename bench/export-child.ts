/**
 * One measured server process for bench/export.ts (forked with IPC).
 *   app: the real Node entry (startNode), so the export goes through createApp, auth and the reader.
 *   raw: node:http + better-sqlite3 iterate() straight to CSV, the floor we compare against.
 * Answers {port} once listening and {maxRss} (peak RSS of this process, bytes) when asked.
 */
import { createServer } from 'node:http';
import { once } from 'node:events';
import Database from 'better-sqlite3';
import { CSV_HEADER, formatRows, type ExportRow } from '../src/domain/export-format';
import { startNode } from '../src/node';

const [mode, dbPath] = process.argv.slice(2);
const PUBLIC_URL = 'http://localhost:3000';

async function startRaw(): Promise<number> {
  const db = new Database(dbPath, { readonly: true });
  const server = createServer(async (req, res) => {
    const slug = new URL(req.url ?? '/', 'http://x').searchParams.get('list');
    const stmt = db.prepare(
      `SELECT s.confirm_seq AS seq, s.email, s.name, s.confirmed_at AS confirmedAt, s.unsub_token AS unsubToken
       FROM subscriptions s JOIN lists l ON l.id = s.list_id
       WHERE l.slug = ? AND s.state = 'confirmed' ORDER BY s.confirm_seq`,
    );
    res.writeHead(200, { 'content-type': 'text/csv; charset=utf-8' });
    res.write(CSV_HEADER);
    let batch: ExportRow[] = [];
    for (const row of stmt.iterate(slug) as IterableIterator<ExportRow>) {
      batch.push(row);
      if (batch.length === 1000) {
        if (!res.write(formatRows(batch, 'csv', PUBLIC_URL))) await once(res, 'drain');
        batch = [];
      }
    }
    res.end(formatRows(batch, 'csv', PUBLIC_URL));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as { port: number }).port;
}

async function startApp(): Promise<number> {
  const { port } = await startNode({
    DATABASE_PATH: dbPath,
    PORT: '0',
    HOST: '127.0.0.1',
    PUBLIC_URL,
    LOG_LEVEL: 'warn',
    ADMIN_TOKEN: process.env.BENCH_ADMIN_TOKEN,
    TOKEN_SECRET: 'bench-secret-bench-secret-bench-secret',
  });
  return port;
}

const port = mode === 'raw' ? await startRaw() : await startApp();
process.send!({ port });
process.on('message', (m: { ask?: string }) => {
  if (m.ask === 'rss') process.send!({ maxRss: process.resourceUsage().maxRSS * 1024 });
});
