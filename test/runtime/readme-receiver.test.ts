import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { testApp } from '../support/app';
import { confirmed } from '../support/flow';
import { adminEnv, api } from '../support/operator';
import { makeWebhook, pusher } from '../support/push';
import { projectRoot } from '../support/server-process';

const readme = readFileSync(join(projectRoot, 'README.md'), 'utf8');
/** The receiver example of the README, exactly as a reader copies it. */
const example = readme.match(/```js\n(\/\/ receiver\.mjs[\s\S]*?)```/)![1];

const cleanups: Array<() => unknown> = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

describe('the README receiver example', () => {
  it('runs as copied, accepts listgate deliveries and refuses a forged one', async () => {
    // Inside the project, so `import 'standardwebhooks'` finds the installed package as it would after npm install.
    const dir = mkdtempSync(join(projectRoot, 'node_modules', '.readme-receiver-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'receiver.mjs'), example);

    const t = await testApp(adminEnv);
    const port = await freePort();
    const hook = await makeWebhook(t, { url: `http://127.0.0.1:${port}/`, events: ['subscriber.confirmed', 'subscriber.erased'] });
    const child = spawn(process.execPath, [join(dir, 'receiver.mjs')], { env: { PATH: process.env.PATH, LISTGATE_WEBHOOK_SECRET: hook.secret, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
    cleanups.push(() => child.kill('SIGKILL'));
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (out += c));

    const push = pusher(t);
    /** Pushes (again, while the receiver is starting) until it has printed `pattern`. */
    const deliverUntil = async (pattern: RegExp) => {
      for (let i = 0; i < 100 && !pattern.test(out); i++) {
        // The receiver checks the timestamp against its own clock.
        t.clock.set(Date.now());
        await push.dueNow();
        await push.run();
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    await confirmed(t, 'ann@example.com');
    await deliverUntil(/subscriber\.confirmed/);
    expect((await api(t, 'DELETE', '/v1/subscribers/ann@example.com')).status).toBe(200);
    await deliverUntil(/subscriber\.erased/);
    expect(out).toMatch(/^subscriber\.confirmed newsletter (sub_\S+) ann@example\.com\nsubscriber\.erased newsletter \1 \(no address\)\n$/);

    const forged = await fetch(`http://127.0.0.1:${port}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'webhook-id': 'msg_forged', 'webhook-timestamp': String(Math.floor(Date.now() / 1000)), 'webhook-signature': `v1,${btoa('x'.repeat(32))}` },
      body: '{"type":"subscriber.confirmed","data":{}}',
    });
    expect(forged.status).toBe(401);
  });
});
