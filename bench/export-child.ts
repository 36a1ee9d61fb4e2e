/**
 * One measured server process for bench/export.ts (forked with IPC).
 *   app: the real Node entry (startNode), so the export goes through createApp, auth, the reader
 *        and the app's own CSV formatting.
 *   raw: the floor: node:http, better-sqlite3 iterate() and a minimal CSV writer of its own (not the
 *        app's formatRows, or a slow writer in the app would slow the floor alike and hide).
 *        It writes the same bytes as the app, which bench/export.ts checks.
 * Answers {port} once listening and {maxRss} (peak RSS of this process, bytes) when asked. Each
 * mode imports only what it runs, so the floor's RSS is not inflated by the app's modules.
 */
import { createServer } from 'node:http';
import { once } from 'node:events';

const [mode, dbPath] = process.argv.slice(2);
const PUBLIC_URL = 'http://localhost:3000';
/** Rows per write: big enough to amortise a write call, small enough to keep memory flat. */
const ROWS_PER_WRITE = 1000;

/** RFC 4180 field: quoted only when it holds a quote, comma or line break; inner quotes doubled. */
function field(v: string): string {
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c === 34 || c === 44 || c === 10 || c === 13) return `"${v.replaceAll('"', '""')}"`;
  }
  return v;
}

async function startRaw(): Promise<number> {
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(dbPath, { readonly: true });
  const stmt = db
    .prepare(
      `SELECT s.email, s.name, s.confirmed_at, s.unsub_token, s.public_id
       FROM subscriptions s JOIN lists l ON l.id = s.list_id
       WHERE l.slug = ? AND s.state = 'confirmed' ORDER BY s.confirm_seq`,
    )
    .raw();
  const server = createServer(async (req, res) => {
    const slug = new URL(req.url ?? '/', 'http://x').searchParams.get('list');
    res.writeHead(200, { 'content-type': 'text/csv; charset=utf-8' });
    let out = 'email,name,confirmed_at,unsubscribe_url,id\r\n';
    let n = 0;
    for (const [email, name, at, token, id] of stmt.iterate(slug) as IterableIterator<[string, string | null, number, string, string]>) {
      out += `${field(email)},${name ? field(name) : ''},${new Date(at).toISOString()},${field(`${PUBLIC_URL}/unsubscribe?token=${token}`)},${field(id)}\r\n`;
      if (++n % ROWS_PER_WRITE === 0) {
        if (!res.write(out)) await once(res, 'drain');
        out = '';
      }
    }
    res.end(out);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as { port: number }).port;
}

async function startApp(): Promise<number> {
  const { startNode } = await import('../src/node');
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
