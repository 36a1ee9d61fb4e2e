/**
 * The ceiling for the read benchmarks (bench/stats.ts): the same two answers as listgate's
 * GET /v1/lists/{list}/stats and /changes, from the same database file, with nothing else: a bare
 * Hono route on @hono/node-server, prepared better-sqlite3 statements running the same reads
 * (list row by slug, 30 days of list_daily, the list's recent outbox; one keyset page of changes),
 * the same JSON shape. No auth, no validation, no drizzle, no middleware.
 */
import { serve } from '@hono/node-server';
import Database from 'better-sqlite3';
import { Hono } from 'hono';

const DAY_MS = 86_400_000;
const db = new Database(process.env.DATABASE_PATH!, { readonly: true });
const listBySlug = db.prepare('SELECT id, count_pending, count_confirmed, count_unsubscribed, count_suppressed FROM lists WHERE slug = ?');
const daily = db.prepare(
  `SELECT coalesce(sum(signups), 0) AS signups, coalesce(sum(confirmations), 0) AS confirmations, coalesce(sum(delivered), 0) AS delivered,
          coalesce(sum(hard_bounces), 0) AS hard_bounces, coalesce(sum(soft_bounces), 0) AS soft_bounces, coalesce(sum(complaints), 0) AS complaints
   FROM list_daily WHERE list_id = ? AND day >= ?`,
);
const outbox = db.prepare(
  `SELECT coalesce(sum(state IN ('queued', 'sending')), 0) AS queued, coalesce(sum(state = 'failed'), 0) AS failed
   FROM outbox WHERE list_id = ? AND created_at >= ?`,
);
const changes = db.prepare('SELECT seq, type, email, at FROM changes WHERE list_id = ? AND seq > ? ORDER BY seq LIMIT ?');

type ListRow = { id: number; count_pending: number; count_confirmed: number; count_unsubscribed: number; count_suppressed: number };
type Change = { seq: number; type: string; email: string | null; at: number };

const app = new Hono();
app.get('/v1/lists/:list/stats', (c) => {
  const list = listBySlug.get(c.req.param('list')) as ListRow | undefined;
  if (!list) return c.json({ title: 'not found' }, 404);
  const firstDay = Math.floor(Date.now() / DAY_MS) - 29;
  return c.json({
    list: c.req.param('list'),
    counts: { pending: list.count_pending, confirmed: list.count_confirmed, unsubscribed: list.count_unsubscribed, suppressed: list.count_suppressed },
    ...(daily.get(list.id, firstDay) as object),
    outbox: outbox.get(list.id, firstDay * DAY_MS),
  });
});
app.get('/v1/lists/:list/changes', (c) => {
  const list = listBySlug.get(c.req.param('list')) as ListRow | undefined;
  if (!list) return c.json({ title: 'not found' }, 404);
  const after = Number(c.req.query('after') ?? 0);
  const rows = changes.all(list.id, after, Number(c.req.query('limit') ?? 1000)) as Change[];
  return c.json({
    data: rows.map((r) => ({ seq: r.seq, type: r.type, email: r.email, at: new Date(r.at).toISOString() })),
    next: rows.length ? rows[rows.length - 1].seq : after,
  });
});

const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info) => {
  console.log(`reads ceiling listening on http://127.0.0.1:${info.port}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
