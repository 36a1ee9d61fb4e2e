import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { startResendImitation } from '../support/fakes/resend/node';
import { scratch } from '../support/scratch';
import { projectRoot, spawnServer, startNodeEntry, type ServerProcess } from '../support/server-process';

const run = promisify(execFile);
const LISTENING = /listening on http:\/\/127\.0\.0\.1:(\d+)/;
const NO_TS = ['--import', './test/support/no-typescript-tooling.mjs'];
const temp = scratch('listgate-process');
const tempDb = () => join(temp.dir(), 'data', 'listgate.db');
const track = <T extends ServerProcess>(p: T) => temp.track(p);

/** True while any process of the group led by `pid` is alive. */
function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

const portOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });

/** Polls until `done()` holds or `ms` pass; answers whether it held. */
async function within(ms: number, done: () => boolean | Promise<boolean>): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await done()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
}

// dist/ is `npm run build`'s, made once for the suite before any file starts (test/support/build.ts).

describe('the server process', { timeout: 60_000 }, () => {
  it('npm start: SIGTERM to the npm process alone stops the service within 10 s, port freed, no process left', async () => {
    const server = track(spawnServer('npm', ['start', '--silent'], { PORT: '0', DATABASE_PATH: tempDb() }));
    const port = Number((await server.waitFor(LISTENING))[1]);
    expect(await portOpen(port)).toBe(true);
    process.kill(server.child.pid!, 'SIGTERM'); // npm's own pid, as a supervisor sends it
    expect(await within(10_000, async () => !groupAlive(server.child.pid!) && !(await portOpen(port)))).toBe(true);
    expect(server.output()).toContain('"msg":"stopped"');
  });

  it('node dist/node.js loads no TypeScript tooling, runs as one process, and SIGINT lets a request in flight finish', async () => {
    const server = track(spawnServer(process.execPath, [...NO_TS, 'dist/node.js'], { PORT: '0', DATABASE_PATH: tempDb() }));
    const port = Number((await server.waitFor(LISTENING))[1]);
    const { stdout } = await run('ps', ['-o', 'pid=,args=', '-g', String(server.child.pid)]);
    expect(stdout.trim().split('\n')).toHaveLength(1); // no tsx, no esbuild service beside it
    expect((await fetch(`http://127.0.0.1:${port}/assets/listgate.css`)).status).toBe(200);

    // A signup whose body is still arriving when the signal comes.
    const body = JSON.stringify({ email: 'inflight@example.com' });
    const answer = new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/lists/newsletter/subscribe', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.on('error', reject);
      req.write(body.slice(0, 10));
      setTimeout(() => {
        process.kill(server.child.pid!, 'SIGINT');
        setTimeout(() => req.end(body.slice(10)), 300);
      }, 200);
    });
    expect(await answer).toBe(202);
    expect(await server.exited).toBe(0);
    expect(await portOpen(port)).toBe(false);
    // One structured format: every line it wrote is a JSON object with a level and a message.
    for (const line of server.output().trim().split('\n')) expect(JSON.parse(line)).toMatchObject({ level: expect.any(String), msg: expect.any(String) });
  });

  it('a second server on the same database exits 1 and says why; the CLI runs beside the first', async () => {
    const db = tempDb();
    const first = track(startNodeEntry({ PORT: '0', DATABASE_PATH: db }));
    const port = Number((await first.waitFor(LISTENING))[1]);
    const second = track(spawnServer(process.execPath, ['dist/node.js'], { PORT: '0', DATABASE_PATH: db }));
    expect(await second.exited).toBe(1);
    expect(second.output()).toContain('another listgate server is already running');
    expect(second.output()).not.toMatch(LISTENING);

    const cli = await run(process.execPath, ['dist/listgate.js', 'lists', 'list', '--json'], { cwd: projectRoot, env: { PATH: process.env.PATH, DATABASE_PATH: db } });
    expect(JSON.parse(cli.stdout).map((l: { slug: string }) => l.slug)).toEqual(['newsletter']);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
  });

  it('a server killed with SIGKILL leaves no lock behind: the next one starts on the same database', async () => {
    const db = tempDb();
    const crashed = track(startNodeEntry({ PORT: '0', DATABASE_PATH: db }));
    await crashed.waitFor(LISTENING);
    process.kill(-crashed.child.pid!, 'SIGKILL');
    await crashed.exited;
    const next = track(spawnServer(process.execPath, ['dist/node.js'], { PORT: '0', DATABASE_PATH: db }));
    await next.waitFor(LISTENING);
  });

  it('with the provider not answering, SIGTERM still stops it within 10 s, and the batch is free for the next start', async () => {
    const api = await startResendImitation({ apiKeys: ['re_test'] });
    try {
      api.setFault({ delayMs: 60_000, drop: true });
      const db = tempDb();
      const env = { PORT: '0', DATABASE_PATH: db, MAIL_TRANSPORT: 'resend', RESEND_API_KEY: 're_test', RESEND_BASE_URL: api.baseUrl, MAIL_FROM: 'news@listgate.test' };
      const server = track(spawnServer(process.execPath, ['dist/node.js'], env));
      const port = Number((await server.waitFor(LISTENING))[1]);
      await fetch(`http://127.0.0.1:${port}/lists/newsletter/subscribe`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"email":"waiting@example.com"}' });
      expect(await within(10_000, () => api.requests.length > 0)).toBe(true); // the request is in flight
      process.kill(server.child.pid!, 'SIGTERM');
      expect(await within(10_000, () => !groupAlive(server.child.pid!))).toBe(true);
      expect(await server.exited).toBe(0);
      const reader = new Database(db, { readonly: true });
      const batch = reader.prepare('SELECT state, in_doubt, leased_until FROM outbox_batches').get();
      reader.close();
      // In doubt (the provider may have the mail), not held: the next start resends it under the same key.
      expect(batch).toEqual({ state: 'open', in_doubt: 1, leased_until: null });
    } finally {
      await api.close();
    }
  });

  it('the built CLI runs without TypeScript tooling and prints the version', async () => {
    const { stdout } = await run(process.execPath, [...NO_TS, 'dist/listgate.js', '--version'], { cwd: projectRoot });
    expect(stdout.trim()).toBe(JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')).version);
  });
});
