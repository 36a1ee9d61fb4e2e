/**
 * The operator console on a big list: each console page (signed in, with its session checked on
 * every request) against GET /healthz of the same server in the same run, on 1,000,000 confirmed
 * subscribers (BENCH_CONSOLE_SUBSCRIBERS for a smaller trial), at 1 connection (service time) and
 * 10 (answer time under concurrency). Target (issue 16): each page's p99 at most P99_RATIO times
 * /healthz's. The address lookup is a form post (its Origin and CSRF token included); the list page
 * is measured without its preview frame, which is a request of its own (measured too).
 */
import { load, type LoadResult } from './lib/load';
import { BENCH_ADMIN_TOKEN, benchDatabasePath, startListgate } from './lib/listgate';
import type { Server } from './lib/processes';
import { seedConfirmed } from './lib/seed';
import { benchSeconds, type BenchResult } from './lib/types';

const SUBSCRIBERS = Number(process.env.BENCH_CONSOLE_SUBSCRIBERS ?? 1_000_000);
const P99_RATIO = 10;
const CONNECTIONS = [1, 10];
const LOOKED_UP = 'bench-lookup@example.com';

/** Signs in as a browser does; answers the session cookie and the CSRF token of the console's forms (null: no console in this build). */
async function signIn(url: string): Promise<{ cookie: string; csrf: string } | null> {
  const res = await fetch(`${url}/admin/sign-in`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: url },
    body: new URLSearchParams({ key: BENCH_ADMIN_TOKEN }).toString(),
  });
  if (res.status === 404) return null;
  const cookie = res.headers.getSetCookie().find((c) => c.includes('listgate_console='))?.split(';')[0];
  if (res.status !== 303 || !cookie) throw new Error(`console sign-in answered ${res.status}`);
  const page = await (await fetch(`${url}/admin`, { headers: { cookie } })).text();
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page)?.[1];
  if (!csrf) throw new Error('no CSRF token on the console overview');
  return { cookie, csrf };
}

type Page = { name: string; method?: 'GET' | 'POST'; path: string; body?: string };

async function measure(server: Server, page: Page, headers: Record<string, string>): Promise<LoadResult[]> {
  const seconds = Math.max(2, Math.round(benchSeconds() / 2));
  const request = () => ({ path: page.path, ...(page.body ? { body: page.body } : {}) });
  const opts = { url: server.url, method: page.method, headers, request };
  await load({ ...opts, connections: 10, seconds: 2 });
  const runs: LoadResult[] = [];
  for (const connections of CONNECTIONS) runs.push(await load({ ...opts, connections, seconds, pid: server.pid }));
  return runs;
}

export async function run(): Promise<BenchResult[]> {
  const path = benchDatabasePath();
  const target = `p99 ratio to GET /healthz <= ${P99_RATIO}`;
  // Probe on the empty database first: no point seeding a million rows for a build without a console.
  const probe = await startListgate({ DATABASE_PATH: path });
  const present = await signIn(probe.url).finally(() => probe.stop());
  if (!present) return [{ name: 'operator console pages', value: NaN, unit: 'ms p99', target, pass: null, note: 'no /admin in this build (404)' }];

  const size = SUBSCRIBERS.toLocaleString('en');
  const seeded = `${size} subscribers seeded in ${(await seedConfirmed(path, SUBSCRIBERS)).toFixed(0)} s`;
  const server = await startListgate({ DATABASE_PATH: path });
  const results: BenchResult[] = [];
  try {
    await fetch(`${server.url}/lists/newsletter/subscribe`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': '10.9.9.9' }, body: JSON.stringify({ email: LOOKED_UP }) });
    const session = (await signIn(server.url))!;
    const headers = { cookie: session.cookie, origin: server.url, 'content-type': 'application/x-www-form-urlencoded' };
    const pages: Page[] = [
      { name: 'GET /admin (overview)', path: '/admin' },
      { name: 'GET /admin/lists/newsletter (charts, funnel, settings, changes)', path: '/admin/lists/newsletter' },
      { name: 'GET /admin/lists/newsletter?days=90', path: '/admin/lists/newsletter?days=90' },
      { name: 'GET /admin/lists/newsletter/preview (the mail preview frame)', path: '/admin/lists/newsletter/preview' },
      { name: 'POST /admin/subscribers (address lookup)', method: 'POST', path: '/admin/subscribers', body: new URLSearchParams({ email: LOOKED_UP, _csrf: session.csrf }).toString() },
      { name: 'GET /admin/keys', path: '/admin/keys' },
      { name: 'GET /admin/suppressions', path: '/admin/suppressions' },
    ];
    const healthz = await measure(server, { name: 'GET /healthz', path: '/healthz' }, {});
    for (const page of pages) {
      const runs = await measure(server, page, headers);
      CONNECTIONS.forEach((connections, j) => {
        const [a, h] = [runs[j], healthz[j]];
        const bad = a.non2xx + a.errors + a.timeouts;
        const ratio = a.p99 / h.p99;
        results.push({
          name: `${page.name} on ${size} subscribers, ${connections} connection${connections > 1 ? 's' : ' (service time)'}`,
          value: a.p99,
          unit: 'ms p99',
          ceiling: h.p99,
          ratio,
          target,
          pass: bad === 0 && ratio <= P99_RATIO,
          note: [`p50 ${a.p50.toFixed(2)} vs ${h.p50.toFixed(2)} ms (/healthz)`, `${Math.round(a.rps)} req/s`, seeded, bad ? `${bad} non-2xx/errors` : ''].filter(Boolean).join('; '),
        });
      });
    }
  } finally {
    await server.stop();
  }
  return results;
}
