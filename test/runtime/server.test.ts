import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { startResendImitation, type ResendImitation } from '../support/fakes/resend/node';
import { spawnServer, startNodeEntry, type ServerProcess } from '../support/server-process';

const started: ServerProcess[] = [];
const imitations: ResendImitation[] = [];
const dirs: string[] = [];

function tempDb(): string {
  const dir = mkdtempSync(join(tmpdir(), 'listgate-server-'));
  dirs.push(dir);
  return join(dir, 'data', 'listgate.db');
}

function track(p: ServerProcess): ServerProcess {
  started.push(p);
  return p;
}

afterAll(async () => {
  await Promise.all(started.map((p) => p.stop()));
  await Promise.all(imitations.map((i) => i.close()));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const LISTENING = /listening on (http:\/\/127\.0\.0\.1:(\d+))/;
const form = { 'content-type': 'application/x-www-form-urlencoded' };

// Each test starts its own server process; they run side by side to keep the suite fast.
describe.concurrent('the real server', () => {
  describe('with the resend transport', () => {
    it('signs up, sends the mail through the resend SDK, and confirms from the link in it', async () => {
      const api = await startResendImitation({ apiKeys: ['re_test'] });
      imitations.push(api);
      const dbPath = tempDb();
      const server = track(
        startNodeEntry({
          NODE_ENV: 'production',
          PORT: '0',
          DATABASE_PATH: dbPath,
          TOKEN_SECRET: 'a-production-secret-of-enough-bytes!',
          MAIL_TRANSPORT: 'resend',
          RESEND_API_KEY: 're_test',
          RESEND_BASE_URL: api.baseUrl,
          MAIL_FROM: 'News <news@listgate.test>',
        }),
      );
      const [, base, port] = await server.waitFor(LISTENING);
      expect(Number(port)).toBeGreaterThan(0);
      expect(server.output()).toContain('(mail: resend)');

      const res = await fetch(`${base}/lists/newsletter/subscribe`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'Reader@Example.com', name: 'Reader' }),
      });
      expect(res.status).toBe(202);
      expect(await res.json()).toEqual({ status: 'pending' });

      const [mail] = await api.waitForMails(1, 10_000);
      expect(mail).toMatchObject({ from: 'News <news@listgate.test>', to: ['Reader@example.com'] });
      expect(mail.html).toBeTruthy();
      expect(mail.text).toBeTruthy();
      expect(api.requests.every((r) => r.idempotencyKey !== null)).toBe(true);
      const link = mail.links.find((l) => l.includes('/confirm?token='))!;
      // No PUBLIC_URL: the link names the port the server really listens on.
      expect(link.startsWith(`http://localhost:${port}/confirm?token=`)).toBe(true);
      const local = link.replace(`http://localhost:${port}`, base);

      const page = await fetch(local);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<form method="post" action="/confirm">');

      const token = new URL(local).searchParams.get('token')!;
      const confirm = await fetch(`${base}/confirm`, { method: 'POST', headers: { ...form, 'user-agent': 'ServerTest/1' }, body: new URLSearchParams({ token }), redirect: 'manual' });
      expect(confirm.status).toBe(303);
      expect(confirm.headers.get('location')).toBe('/confirmed?list=newsletter');
      const again = await fetch(local, { method: 'POST', headers: { accept: 'application/json' } });
      expect(again.status).toBe(200);
      expect(await again.json()).toEqual({ status: 'confirmed' });

      const bad = await fetch(`${base}/confirm`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"token":"nope"}' });
      expect(bad.status).toBe(400);
      expect(bad.headers.get('content-type')).toContain('application/problem+json');
      expect(server.output()).not.toContain(token);
      const reader = new Database(dbPath, { readonly: true });
      const row = reader.prepare('SELECT state, signup_ip, confirm_ip, confirm_user_agent FROM subscriptions').get();
      reader.close();
      expect(row).toEqual({ state: 'confirmed', signup_ip: '127.0.0.1', confirm_ip: '127.0.0.1', confirm_user_agent: 'ServerTest/1' });

      expect(await server.stop()).toBe(0); // SIGTERM: a clean shutdown
    });

    it('answers a signup while the provider fails, and the mail goes out once it recovers', async () => {
      const api = await startResendImitation();
      imitations.push(api);
      api.setFault({ status: 500 });
      const server = track(
        startNodeEntry({
          PORT: '0',
          DATABASE_PATH: tempDb(),
          MAIL_TRANSPORT: 'resend',
          RESEND_API_KEY: 're_test',
          RESEND_BASE_URL: api.baseUrl,
          MAIL_FROM: 'news@listgate.test',
        }),
      );
      const [, base] = await server.waitFor(LISTENING);
      const res = await fetch(`${base}/lists/newsletter/subscribe`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"email":"patient@example.com"}' });
      expect(res.status).toBe(202);
      await server.waitFor(/mail transport refuses to send/);
      expect(api.sent).toHaveLength(0);
      api.clearFault();
      const [mail] = await api.waitForMails(1, 10_000);
      expect(mail.to).toEqual(['patient@example.com']);
      expect(api.sent).toHaveLength(1);
    });

    it('refuses to start in production without TOKEN_SECRET', async () => {
      const server = track(startNodeEntry({ NODE_ENV: 'production', PORT: '0', DATABASE_PATH: tempDb(), MAIL_TRANSPORT: 'log' }));
      expect(await server.exited).toBe(1);
      expect(server.output()).toContain('TOKEN_SECRET is required when NODE_ENV=production');
      expect(server.output()).not.toMatch(/listening on/);
    });
  });

  describe('expiry', () => {
    it('answers an expired link 410 and deletes the pending signup soon after its token expires', async () => {
      const db = tempDb();
      const server = track(startNodeEntry({ PORT: '0', DATABASE_PATH: db, CONFIRM_TTL_HOURS: '0.0005' })); // 1.8 s
      const [, base] = await server.waitFor(LISTENING);
      await fetch(`${base}/lists/newsletter/subscribe`, { method: 'POST', headers: form, body: 'email=slow%40example.com', redirect: 'manual' });
      const [, link] = await server.waitFor(/(http[^"\s\\]+\/confirm\?token=[\w.-]+)/);
      const pending = () => {
        const reader = new Database(db, { readonly: true });
        try {
          return (reader.prepare("SELECT count(*) AS n FROM subscriptions WHERE state = 'pending'").get() as { n: number }).n;
        } finally {
          reader.close();
        }
      };
      expect(pending()).toBe(1);
      await new Promise((r) => setTimeout(r, 2500));
      const res = await fetch(new URL(new URL(link).pathname + new URL(link).search, base), { method: 'POST', headers: { accept: 'application/json' } });
      expect(res.status).toBe(410);
      // The purge runs on its own timer: poll for its effect (the deadline only bounds a failure).
      const deadline = Date.now() + 60_000;
      while (pending() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      expect(pending()).toBe(0);
    });
  });

  describe('npm start with no configuration', () => {
    it('says where to point a browser, and the confirmation link it prints works', async () => {
      const server = track(spawnServer('npm', ['start', '--silent'], { PORT: '0', DATABASE_PATH: tempDb() }));
      const [, base] = await server.waitFor(LISTENING);
      const [, signupUrl] = await server.waitFor(/Point a browser at (\S+)/);
      expect(server.output()).toContain('(mail: log)');
      expect(server.output()).toMatch(/TOKEN_SECRET is not set/);

      const page = await fetch(signupUrl);
      expect(page.status).toBe(200);
      expect(await page.text()).toMatch(/<form method="post" action="\/lists\/newsletter\/subscribe">[\s\S]*name="email"/);

      const res = await fetch(`${base}/lists/newsletter/subscribe`, { method: 'POST', headers: form, body: 'email=first%40example.com', redirect: 'manual' });
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe('/lists/newsletter/check-inbox');

      // The log transport's mail line: recipient, subject and the whole text part.
      const [, link] = await server.waitFor(/"msg":"mail","to":"first@example\.com".*?"text":"[^"]*?(http[^"\s\\]+\/confirm\?token=[\w.-]+)/);
      const confirmPage = await fetch(link);
      expect(confirmPage.status).toBe(200);
      const html = await confirmPage.text();
      const token = html.match(/name="token" value="([^"]+)"/)![1];
      const done = await fetch(new URL('/confirm', link), { method: 'POST', headers: form, body: new URLSearchParams({ token }), redirect: 'manual' });
      expect(done.status).toBe(303);
      const confirmed = await fetch(new URL(done.headers.get('location')!, link));
      expect(await confirmed.text()).toContain('is confirmed');
    });
  });
});
