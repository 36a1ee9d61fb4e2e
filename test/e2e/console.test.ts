import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, type ExpectStatic, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { seedConsoleData } from './console-seed';
import { browserAvailable, checkPage, launchBrowser, newPage, screenshotDir, startServer, type RunningServer } from './support';

const ADMIN_TOKEN = 'admin-e2e-console-token-0123456789abcdef';

// The operator console in chromium against the real Node server: one browser, one page at a time.
// Every console page passes the same bar as the hosted pages (axe, 360 px, no CSP complaints).
describe.runIf(browserAvailable)('operator console in chromium', { timeout: 240_000 }, () => {
  let server: RunningServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  async function context(options: Parameters<Browser['newContext']>[0] = {}) {
    const ctx = await browser.newContext({ locale: 'en-US', ...options });
    contexts.push(ctx);
    return ctx;
  }

  async function expectGoodPage(expect: ExpectStatic, page: Page, name: string) {
    // The mail preview is a sandboxed document of its own (axe cannot run there); the mail's HTML has its own tests.
    const r = await checkPage(page, `console-${name}`, { exclude: ['iframe[name="mail-preview"]'] });
    expect(r.violations, `${name}: axe`).toEqual([]);
    expect(r.problems, `${name}: console`).toEqual([]);
    expect(r.scrollWidth, `${name}: width at 360 px`).toBeLessThanOrEqual(360);
  }

  /** A screenshot for the README: the desktop view, the top of the page. */
  const shot = (page: Page, name: string) => page.screenshot({ path: join(screenshotDir, `docs-console-${name}.png`) });

  async function signIn(page: Page, key = ADMIN_TOKEN) {
    await page.goto(`${server.url}/admin`);
    await page.waitForURL(`${server.url}/admin/sign-in`);
    await page.getByLabel('Admin key').fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${server.url}/admin`);
  }

  const one = <T,>(sql: string, ...args: unknown[]) => server.db.prepare(sql).get(...args) as T;

  beforeAll(async () => {
    [server, browser] = await Promise.all([
      startServer({ ADMIN_TOKEN, TOKEN_SECRET: 'e2e-token-secret-e2e-token-secret-!!', MAIL_TRANSPORT: 'log', MAIL_FROM: 'Newsletter <news@example.com>', LOG_LEVEL: 'error' }),
      launchBrowser(),
    ]);
    await seedConsoleData(server);
  });

  afterEach(async () => {
    for (const ctx of contexts.splice(0)) await ctx.close().catch(() => {});
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('signs in, reads the overview, opens a list, sees its chart, and edits the confirmation subject with a live preview', async ({ expect }) => {
    const page = await newPage(await context());
    await page.goto(`${server.url}/admin`);
    await page.waitForURL(`${server.url}/admin/sign-in`);
    await expectGoodPage(expect, page, 'sign-in');
    await signIn(page);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Lists');
    await expect.poll(() => page.locator('.card').filter({ hasText: 'Newsletter' }).textContent()).toContain('Confirmed');
    await expectGoodPage(expect, page, 'overview');
    await page.setViewportSize({ width: 1280, height: 800 });
    await shot(page, 'overview');

    await page.getByRole('link', { name: 'Newsletter' }).click();
    await page.waitForURL(`${server.url}/admin/lists/newsletter`);
    const chart = page.getByRole('img', { name: /Signups and confirmations, last 30 days/ });
    expect(await chart.count()).toBe(1);
    expect(await page.locator('#chart-signups-desc').textContent()).toMatch(/Signups: [\d,]+ in all/);
    expect(await chart.locator('polyline').count()).toBe(2);
    await expectGoodPage(expect, page, 'list');
    await shot(page, 'list');

    // The preview frame follows the subject while it is typed (admin.js posts the form into the frame).
    const subject = page.getByLabel('Subject');
    await subject.fill('Please confirm: {{list_name}} weekly');
    const frame = page.frameLocator('iframe[name="mail-preview"]');
    await expect.poll(() => frame.locator('#preview-subject').textContent()).toBe('Please confirm: Newsletter weekly');
    await page.locator('#f-confirmation-mail-intro').scrollIntoViewIfNeeded();
    await shot(page, 'mail-editor');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.waitForURL(/\/admin\/lists\/newsletter\?saved=1/);
    expect(await page.getByRole('status').first().textContent()).toContain('The settings were saved.');
    expect(JSON.parse(one<{ m: string }>("SELECT confirmation_mail AS m FROM lists WHERE slug = 'newsletter'").m).subject).toBe('Please confirm: {{list_name}} weekly');
    expect(one<{ n: number }>("SELECT count(*) AS n FROM audit_log WHERE action = 'list.replace' AND actor = 'ADMIN_TOKEN' AND target = 'newsletter'").n).toBe(1);
  });

  it('looks up an address, names what erasing does, and erases it', async ({ expect }) => {
    const page = await newPage(await context());
    await signIn(page);
    await page.getByRole('link', { name: 'Look up an address' }).click();
    await expectGoodPage(expect, page, 'lookup');
    await page.getByLabel('Email address').fill('grace@example.com');
    await page.getByRole('button', { name: 'Look up' }).click();
    await expect.poll(() => page.locator('#found').textContent()).toBe('grace@example.com');
    expect(await page.locator('.card').first().textContent()).toContain('confirmed');
    await expectGoodPage(expect, page, 'lookup-found');
    await shot(page, 'lookup');

    await page.getByRole('button', { name: 'Erase…' }).click();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Erase grace@example.com?');
    expect(await page.locator('.consequences').textContent()).toContain('cannot be undone');
    await expectGoodPage(expect, page, 'erase-confirm');
    await page.getByRole('button', { name: 'Erase for good' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('erased from 1 lists');
    expect(one<{ n: number }>("SELECT count(*) AS n FROM subscriptions WHERE email = 'grace@example.com'").n).toBe(0);
    expect(one<{ reason: string; email: string | null }>("SELECT reason, email FROM suppressions WHERE reason = 'erased'")).toEqual({ reason: 'erased', email: null });
  });

  it('creates a key shown once, revokes it, and a session on a revoked key ends', async ({ expect }) => {
    const page = await newPage(await context());
    await signIn(page);
    await page.getByRole('link', { name: 'Keys' }).click();
    await expectGoodPage(expect, page, 'keys');
    await page.getByLabel('Name').fill('e2e operator');
    await page.getByLabel(/^admin:/).check();
    await page.getByRole('button', { name: 'Create' }).click();
    const secret = (await page.locator('#new-key-secret').textContent())!;
    expect(secret).toMatch(/^lg_/);
    await expectGoodPage(expect, page, 'key-created');

    // Someone else signs in with the new key; revoking it ends that session at its next request.
    const other = await newPage(await context());
    await signIn(other, secret);
    expect(await other.locator('.who').textContent()).toContain('Signed in with key_');

    await page.getByRole('link', { name: 'Back to the keys' }).click();
    await page.getByRole('button', { name: /^Revoke lg_.*e2e operator$/ }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('was revoked');
    expect(await page.locator('.card.revoked').filter({ hasText: 'e2e operator' }).count()).toBe(1);

    await other.reload();
    await other.waitForURL(/\/admin\/sign-in\?ended=1$/);
    expect(await other.getByRole('status').textContent()).toContain('Your session ended');
  });

  it('shows the suppressions, the mail banner, and the console in Japanese', async ({ expect }) => {
    const page = await newPage(await context());
    await signIn(page);
    await page.getByRole('link', { name: 'Suppressions' }).click();
    expect(await page.locator('.card').filter({ hasText: 'bounce@example.com' }).count()).toBe(1);
    await expectGoodPage(expect, page, 'suppressions');

    // The provider refuses every send: every page says so until a send succeeds.
    const now = Date.now();
    server.db.prepare("INSERT OR REPLACE INTO settings (key, value) VALUES ('mail_transport', ?)").run(JSON.stringify({ okAt: null, failAt: now, error: 'API key is invalid', failures: [now - 1000, now] }));
    await page.goto(`${server.url}/admin`);
    expect(await page.getByRole('alert').textContent()).toContain('The provider said: API key is invalid');
    await expectGoodPage(expect, page, 'banner');
    server.db.prepare("DELETE FROM settings WHERE key = 'mail_transport'").run();

    // The step before deleting a list, and the console's own error page.
    await page.goto(`${server.url}/admin/lists/newsletter/delete`);
    expect(await page.locator('.consequences').textContent()).toContain('This cannot be undone.');
    await expectGoodPage(expect, page, 'delete-confirm');
    expect((await page.goto(`${server.url}/admin/lists/nothing-here`))!.status()).toBe(404);
    await expectGoodPage(expect, page, 'not-found');

    await page.goto(`${server.url}/admin`);
    await page.getByRole('link', { name: '日本語' }).click();
    await page.waitForURL(`${server.url}/admin?lang=ja`);
    expect(await page.getAttribute('html', 'lang')).toBe('ja');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('リスト');
    await expectGoodPage(expect, page, 'overview-ja');
    await page.goto(`${server.url}/admin/lists/newsletter`);
    expect(await page.getByRole('img', { name: /登録と確認（過去 30 日間）/ }).count()).toBe(1);
    await expectGoodPage(expect, page, 'list-ja');
  });

  it('imports a file into a list (a dry run, then for real) and shows the report and the past imports', async ({ expect }) => {
    const page = await newPage(await context());
    await signIn(page);
    await page.getByRole('link', { name: 'Imports' }).click();
    await page.waitForURL(`${server.url}/admin/imports`);
    await expectGoodPage(expect, page, 'imports-choose');
    await page.getByRole('link', { name: '週刊ニュース' }).click();
    await page.waitForURL(`${server.url}/admin/lists/shuukan/imports`);
    await expectGoodPage(expect, page, 'imports');
    const file = { name: 'mailchimp.csv', mimeType: 'text/csv', buffer: Buffer.from('Email Address,First Name\nimported1@example.com,Ada\nnot-an-address,Bob\nimported2@example.com,Cy\n') };
    await page.getByLabel(/^confirmed:/).check();
    await page.getByLabel(/^Consent source/).fill('Mailchimp double opt-in form');
    await page.getByLabel(/^Dry run/).check();
    await page.getByLabel(/^File/).setInputFiles(file);
    await page.getByRole('button', { name: 'Import' }).click();
    await expect.poll(() => page.locator('#report-imported').textContent()).toBe('2');
    expect(await page.getByRole('status').first().textContent()).toContain('Dry run: nothing was written.');
    expect(await page.locator('.report td').first().textContent()).toBe('3');
    expect(one<{ n: number }>("SELECT count(*) AS n FROM subscriptions WHERE email LIKE 'imported%'").n).toBe(0);
    await expectGoodPage(expect, page, 'import-report');

    await page.getByLabel(/^Dry run/).uncheck();
    await page.getByLabel(/^File/).setInputFiles(file);
    await page.getByRole('button', { name: 'Import' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toMatch(/The import is done/);
    expect(one<{ n: number }>("SELECT count(*) AS n FROM subscriptions WHERE email LIKE 'imported%' AND state = 'confirmed'").n).toBe(2);
    expect(await page.locator('#past-imports + .cards .card').count()).toBe(1);
    await page.goto(`${server.url}/admin/lists/shuukan/imports?lang=ja`);
    await expectGoodPage(expect, page, 'imports-ja');
    await page.goto(`${server.url}/admin/lists/shuukan/imports?lang=en`);
  });

  it('makes a webhook shown once, sees it disabled and enables it again, reads its deliveries, and deletes it', async ({ expect }) => {
    const page = await newPage(await context());
    await signIn(page);
    await page.getByRole('link', { name: 'Webhooks' }).click();
    await page.waitForURL(`${server.url}/admin/webhooks`);
    await expectGoodPage(expect, page, 'webhooks');
    // A loopback port nothing listens on (the server runs outside production, where that is allowed): no traffic leaves the machine.
    await page.getByLabel(/^URL/).fill('http://127.0.0.1:9/listgate-e2e');
    await page.getByLabel('subscriber.erased').uncheck();
    await page.getByRole('button', { name: 'Create' }).click();
    expect(await page.locator('#new-webhook-secret').textContent()).toMatch(/^whsec_/);
    await expectGoodPage(expect, page, 'webhook-created');

    const id = one<{ id: string }>('SELECT id FROM webhooks').id;
    server.db.prepare('UPDATE push_consumers SET disabled_at = ?, disabled_reason = ? WHERE id = ?').run(Date.now(), 'every attempt failed for 5 days', id);
    await page.getByRole('link', { name: 'Back to the webhooks' }).click();
    expect(await page.locator('.card').first().textContent()).toContain('Why: every attempt failed for 5 days.');
    await expectGoodPage(expect, page, 'webhooks-disabled');
    await page.getByRole('button', { name: 'Enable the webhook to http://127.0.0.1:9/listgate-e2e again' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('enabled again');
    expect(await page.locator('#deliveries + p').textContent()).toBe('No deliveries yet.');
    await expectGoodPage(expect, page, 'webhook');
    await page.getByRole('button', { name: 'Delete the webhook to http://127.0.0.1:9/listgate-e2e' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('was deleted');
    expect(one<{ n: number }>('SELECT count(*) AS n FROM webhooks').n).toBe(0);
  });
});
