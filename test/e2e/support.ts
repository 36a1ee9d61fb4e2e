import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const root = resolve(import.meta.dirname, '../..');
export const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const browserAvailable = existsSync(chromiumPath);
export const browserRequired = process.env.LISTGATE_REQUIRE_BROWSER === '1';
export const screenshotDir = join(root, 'screenshots');

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
  });
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export type RunningServer = { url: string; dbPath: string; output: () => string; db: Database.Database; stop(): Promise<void> };

/**
 * The real Node server (`src/node.ts` through tsx), as `npm start` runs it. The port is chosen
 * first so PUBLIC_URL, and with it every link in the mail, points at this very server.
 */
export async function startServer(env: Record<string, string>): Promise<RunningServer> {
  const dir = mkdtempSync(join(tmpdir(), 'listgate-e2e-'));
  const dbPath = join(dir, 'listgate.db');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let out = '';
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/node.ts'], {
    cwd: root,
    env: { ...process.env, NODE_ENV: 'test', HOST: '127.0.0.1', PORT: String(port), PUBLIC_URL: url, DATABASE_PATH: dbPath, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  await new Promise<void>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`server did not start:\n${out}`)), 60_000);
    child.stdout!.on('data', () => {
      if (out.includes('listening on')) {
        clearTimeout(timer);
        ok();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`server exited with ${code}:\n${out}`));
    });
  });
  const db = new Database(dbPath);
  db.pragma('busy_timeout = 5000');
  return {
    url,
    dbPath,
    db,
    output: () => out,
    async stop() {
      db.close();
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Another origin (a different port on 127.0.0.1) serving one page, like an operator's own site. */
export async function startSite(html: string): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(html);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** A page that remembers console errors (CSP violations among them) for `checkPage`. */
export async function newPage(context: BrowserContext): Promise<Page & { problems: string[] }> {
  const page = (await context.newPage()) as Page & { problems: string[] };
  page.problems = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) page.problems.push(m.text());
  });
  page.on('pageerror', (e) => page.problems.push(`page error: ${e.message}`));
  return page;
}

const PHONE = { width: 360, height: 740 };
const DESKTOP = { width: 1280, height: 800 };

/**
 * What every hosted page must pass: no serious or critical axe violations (only where scripts run:
 * axe is a script), no horizontal scroll at 360 px, no CSP complaints; screenshots at both widths.
 */
export async function checkPage(page: Page & { problems?: string[] }, name: string, opts: { axe?: boolean; exclude?: string[] } = {}) {
  const t0 = Date.now();
  mkdirSync(screenshotDir, { recursive: true });
  await page.setViewportSize(PHONE);
  const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  await page.screenshot({ path: join(screenshotDir, `${name}-360.png`), fullPage: true });
  await page.setViewportSize(DESKTOP);
  await page.screenshot({ path: join(screenshotDir, `${name}-desktop.png`), fullPage: true });
  let violations: string[] = [];
  if (opts.axe !== false) {
    // `exclude`: parts checked elsewhere, e.g. a sandboxed frame, where axe cannot run scripts and would wait forever.
    const builder = new AxeBuilder({ page });
    for (const selector of opts.exclude ?? []) builder.exclude(selector);
    const result = await builder.analyze();
    violations = result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  }
  if (process.env.E2E_TIMING) appendFileSync(process.env.E2E_TIMING, `${name} ${Date.now() - t0} ms\n`);
  return { scrollWidth, violations, problems: page.problems ?? [] };
}
