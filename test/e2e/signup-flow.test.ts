import { afterAll, afterEach, beforeAll, describe, expect as globalExpect, it, type ExpectStatic } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { snippetFor } from '../../src/cli/embed';
import { startResendImitation, type ResendImitation } from '../support/fakes/resend/node';
import {
  browserAvailable,
  browserRequired,
  checkPage,
  chromiumPath,
  launchBrowser,
  newPage,
  startServer,
  startSite,
  type RunningServer,
} from './support';

if (!browserAvailable) {
  const banner = '!'.repeat(78);
  console.warn(
    `\n${banner}\n!!  BROWSER SUITE SKIPPED: no chromium at ${chromiumPath}.\n` +
      `!!  Install it (apt-get install -y chromium) or set CHROMIUM_PATH; .ci/run makes this a failure.\n${banner}\n`,
  );
}

describe.runIf(!browserAvailable && browserRequired)('browser suite (LISTGATE_REQUIRE_BROWSER=1)', () => {
  it('needs Debian chromium', () => {
    throw new Error(`LISTGATE_REQUIRE_BROWSER=1 but there is no chromium at ${chromiumPath}`);
  });
});

// One browser, one page at a time: on a small loaded machine, several chromium pages at once starve
// each other. Tests share the server and the browser but nothing else (own context, own addresses).
describe.runIf(browserAvailable)('signup forms and hosted pages in chromium', { timeout: 180_000 }, () => {
  let server: RunningServer;
  let mail: ResendImitation;
  let site: Awaited<ReturnType<typeof startSite>>;
  let strangerSite: Awaited<ReturnType<typeof startSite>>;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let n = 0;
  const address = (tag: string) => `e2e-${tag}-${Date.now().toString(36)}-${++n}@example.com`;

  async function context(options: Parameters<Browser['newContext']>[0] = {}) {
    const ctx = await browser.newContext(options);
    contexts.push(ctx);
    return ctx;
  }

  /** Every page must pass the same bar; axe needs scripts, so pages seen with JS off skip it. */
  async function expectGoodPage(expect: ExpectStatic, page: Page, name: string, opts: { axe?: boolean } = {}) {
    const r = await checkPage(page, name, opts);
    expect(r.violations, `${name}: axe`).toEqual([]);
    expect(r.problems, `${name}: console`).toEqual([]);
    expect(r.scrollWidth, `${name}: width at 360 px`).toBeLessThanOrEqual(360);
  }

  async function mailTo(to: string) {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const m = mail.lastMailTo(to);
      if (m) return m;
      if (Date.now() > deadline) throw new Error(`no mail to ${to}; server said:\n${server.output()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async function confirmLink(to: string) {
    const link = (await mailTo(to)).links.find((l) => l.startsWith(`${server.url}/confirm?token=`));
    globalExpect(link).toBeDefined();
    return link!;
  }

  /** The subscription's unsubscribe link, as the export would hand it to a mailer. */
  function unsubscribeLink(email: string) {
    const row = server.db.prepare('SELECT unsub_token AS token FROM subscriptions WHERE email = ?').get(email) as { token: string };
    return `${server.url}/unsubscribe?token=${row.token}`;
  }

  const stateOf = (email: string) =>
    (server.db.prepare('SELECT state FROM subscriptions WHERE email = ?').get(email) as { state: string } | undefined)?.state;

  const sitePage = (snippet: string) =>
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<title>An operator's own site</title></head><body><main><h1>Our newsletter</h1><p>News once a month.</p>${snippet}</main></body></html>`;

  beforeAll(async () => {
    mail = await startResendImitation();
    [server, browser] = await Promise.all([
      startServer({
        MAIL_TRANSPORT: 'resend',
        RESEND_API_KEY: 're_test_e2e',
        RESEND_BASE_URL: mail.baseUrl,
        ADMIN_TOKEN: 'admin-e2e-token-0123456789abcdef',
        TOKEN_SECRET: 'e2e-token-secret-e2e-token-secret-!!',
        MAIL_FROM: 'Newsletter <news@example.com>',
        MAIL_RATE_PER_SECOND: '50',
        RATE_LIMIT_SIGNUP_BURST: '100',
        RATE_LIMIT_SIGNUP_PER_MINUTE: '100',
      }),
      launchBrowser(),
    ]);
    const { snippet } = await snippetFor('newsletter', {}, { PUBLIC_URL: server.url, DATABASE_PATH: server.dbPath });
    [site, strangerSite] = await Promise.all([startSite(sitePage(snippet)), startSite(sitePage(snippet))]);
    const now = Date.now();
    server.db.prepare('UPDATE lists SET allowed_origins = ? WHERE slug = ?').run(JSON.stringify([new URL(site.url).origin]), 'newsletter');
    server.db
      .prepare('INSERT INTO lists (slug, name, language, created_at, updated_at) VALUES (?, ?, ?, ?, ?)')
      .run('shuukan', '週刊ニュース', 'ja', now, now);
  });

  afterEach(async () => {
    for (const ctx of contexts.splice(0)) await ctx.close().catch(() => {});
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all([site?.close(), strangerSite?.close(), mail?.close()]);
    await server?.stop();
  });

  it('signs up inline on another origin, confirms from the mail and unsubscribes', async ({ expect }) => {
    const page = await newPage(await context());
    await page.goto(site.url);
    await expectGoodPage(expect, page, 'embed-form');
    const email = address('js');
    await page.getByLabel('Email address').fill(email);
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await expect.poll(() => page.locator('.listgate-ok').textContent()).toContain('we sent you an email');
    expect(page.url()).toBe(site.url);
    await expectGoodPage(expect, page, 'embed-success');

    await page.goto(await confirmLink(email));
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Confirm your subscription');
    expect(stateOf(email)).toBe('pending');
    await expectGoodPage(expect, page, 'confirm');
    await page.getByRole('button', { name: 'Yes, subscribe me' }).click();
    await page.waitForURL(/\/confirmed\?list=newsletter$/);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('You are subscribed');
    expect(stateOf(email)).toBe('confirmed');
    await expectGoodPage(expect, page, 'confirmed');

    await page.goto(unsubscribeLink(email));
    await expectGoodPage(expect, page, 'unsubscribe');
    await page.getByRole('button', { name: 'Unsubscribe' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('You are unsubscribed');
    expect(stateOf(email)).toBe('unsubscribed');
    await expectGoodPage(expect, page, 'unsubscribed');
  });

  it('does the same with JavaScript off: the pasted form posts and the hosted pages follow', async ({ expect }) => {
    const page = await newPage(await context({ javaScriptEnabled: false }));
    await page.goto(site.url);
    const email = address('nojs');
    await page.getByLabel('Email address').fill(email);
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await page.waitForURL(`${server.url}/lists/newsletter/check-inbox`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Check your inbox');
    await expectGoodPage(expect, page, 'nojs-check-inbox', { axe: false });

    await page.goto(await confirmLink(email));
    await page.getByRole('button', { name: 'Yes, subscribe me' }).click();
    await page.waitForURL(/\/confirmed\?list=newsletter$/);
    expect(stateOf(email)).toBe('confirmed');
    await expectGoodPage(expect, page, 'nojs-confirmed', { axe: false });

    await page.goto(unsubscribeLink(email));
    await page.getByRole('button', { name: 'Unsubscribe' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('You are unsubscribed');
    expect(stateOf(email)).toBe('unsubscribed');
  });

  it('serves the hosted signup page and what follows in Japanese for a Japanese list', async ({ expect }) => {
    const page = await newPage(await context({ locale: 'en-US' }));
    await page.goto(`${server.url}/lists/shuukan`);
    expect(await page.getAttribute('html', 'lang')).toBe('ja');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('週刊ニュース の購読');
    await expectGoodPage(expect, page, 'signup-ja');
    const email = address('ja');
    await page.getByLabel('メールアドレス').fill(email);
    await page.getByRole('button', { name: '登録する' }).click();
    await page.waitForURL(`${server.url}/lists/shuukan/check-inbox`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('受信箱をご確認ください');
    await expectGoodPage(expect, page, 'check-inbox-ja');

    expect((await mailTo(email)).subject).toContain('週刊ニュース');
    await page.goto(await confirmLink(email));
    await expectGoodPage(expect, page, 'confirm-ja');
    await page.getByRole('button', { name: 'はい、登録します' }).click();
    await page.waitForURL(/\/confirmed\?list=shuukan$/);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('登録が完了しました');
    await expectGoodPage(expect, page, 'confirmed-ja');

    await page.goto(unsubscribeLink(email));
    await expectGoodPage(expect, page, 'unsubscribe-ja');
    await page.getByRole('button', { name: '配信を停止する' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('配信を停止しました');
    await expectGoodPage(expect, page, 'unsubscribed-ja');
  });

  it('shows the confirmation mail well at 360 px and on a desktop, in English and Japanese, with its button and copyable link', async ({ expect }) => {
    for (const [list, lang] of [['newsletter', 'en'], ['shuukan', 'ja']] as const) {
      const email = address(`mail-${lang}`).replace('@example.com', '@gmail.com');
      const page = await newPage(await context({ locale: lang === 'ja' ? 'ja-JP' : 'en-US' }));
      // A Gmail address: the check-inbox page offers a search of Gmail for the sender.
      await page.goto(`${server.url}/lists/${list}`);
      await page.getByLabel(lang === 'ja' ? 'メールアドレス' : 'Email address').fill(email);
      await page.getByRole('button', { name: lang === 'ja' ? '登録する' : 'Subscribe' }).click();
      await page.waitForURL(`${server.url}/lists/${list}/check-inbox?provider=gmail`);
      const open = page.getByRole('link', { name: lang === 'ja' ? 'Gmail を開く' : 'Open Gmail' });
      expect(await open.getAttribute('href')).toMatch(/^https:\/\/mail\.google\.com\/mail\/u\/0\/#search\//);
      expect(await page.textContent('main')).toContain('news@example.com');
      await expectGoodPage(expect, page, `check-inbox-gmail-${lang}`);
      // The mail as a mail client shows it (its HTML part, on its own).
      const sent = await mailTo(email);
      const reader = await newPage(await context());
      await reader.setContent(sent.html!);
      const link = (await reader.locator('a').allTextContents()).find((t) => t.includes('/confirm?token='));
      expect(link, 'the link as copyable text').toBe(sent.links.find((l) => l.includes('/confirm?token=')));
      await expectGoodPage(expect, reader, `mail-${lang}`);
    }
  });

  it('offers "Did you mean" for a mistyped domain, inline and on the hosted page, and the fix subscribes', async ({ expect }) => {
    const page = await newPage(await context());
    await page.goto(site.url);
    const local = `e2e-typo-${Date.now().toString(36)}`;
    await page.getByLabel('Email address').fill(`${local}@gmial.com`);
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await expect.poll(() => page.locator('.listgate-error').textContent()).toContain(`Did you mean ${local}@gmail.com?`);
    expect(await page.getByLabel('Email address').getAttribute('aria-invalid')).toBe('true');
    await expectGoodPage(expect, page, 'embed-typo');
    await page.getByRole('button', { name: `Yes, use ${local}@gmail.com` }).click();
    await expect.poll(() => page.locator('.listgate-ok').textContent()).toContain('we sent you an email');
    await mailTo(`${local}@gmail.com`);
    expect(mail.mailsTo(`${local}@gmial.com`)).toHaveLength(0);

    // The hosted page has no script at all: the fix is a second one-button form.
    const hosted = await newPage(await context());
    await hosted.goto(`${server.url}/lists/newsletter`);
    await expectGoodPage(expect, hosted, 'signup');
    await hosted.getByLabel('Email address').fill(`${local}2@hotmial.com`);
    await hosted.getByRole('button', { name: 'Subscribe' }).click();
    await expect.poll(() => hosted.getByRole('alert').textContent()).toContain(`Did you mean ${local}2@hotmail.com?`);
    expect(await hosted.getByLabel('Email address').inputValue()).toBe(`${local}2@hotmial.com`);
    await expectGoodPage(expect, hosted, 'signup-typo');
    await hosted.getByRole('button', { name: `Yes, use ${local}2@hotmail.com` }).click();
    // Hotmail is Outlook.com: the page names the webmail to open.
    await hosted.waitForURL(`${server.url}/lists/newsletter/check-inbox?provider=outlook`);
    await hosted.getByRole('link', { name: 'Open Outlook' }).waitFor();
    await mailTo(`${local}2@hotmail.com`);
  });

  it("says when to retry after the server's own 429, and the form stays usable", async ({ expect }) => {
    // A server whose limiter allows one signup per client, refilling one every two minutes.
    const limited = await startServer({
      MAIL_TRANSPORT: 'resend',
      RESEND_API_KEY: 're_test_e2e',
      RESEND_BASE_URL: mail.baseUrl,
      TOKEN_SECRET: 'e2e-token-secret-e2e-token-secret-!!',
      MAIL_FROM: 'Newsletter <news@example.com>',
      RATE_LIMIT_SIGNUP_BURST: '1',
      RATE_LIMIT_SIGNUP_PER_MINUTE: '0.5',
    });
    const { snippet } = await snippetFor('newsletter', {}, { PUBLIC_URL: limited.url, DATABASE_PATH: limited.dbPath });
    const limitedSite = await startSite(sitePage(snippet));
    try {
      limited.db.prepare('UPDATE lists SET allowed_origins = ? WHERE slug = ?').run(JSON.stringify([new URL(limitedSite.url).origin]), 'newsletter');
      const page = await newPage(await context());
      await page.goto(limitedSite.url);
      const first = address('first');
      await page.getByLabel('Email address').fill(first);
      await page.getByRole('button', { name: 'Subscribe' }).click();
      await expect.poll(() => page.locator('.listgate-ok').textContent()).toContain('we sent you an email');

      const answer = page.waitForResponse((r) => r.url() === `${limited.url}/lists/newsletter/subscribe` && r.request().method() === 'POST');
      await page.getByLabel('Email address').fill(address('slow'));
      await page.getByRole('button', { name: 'Subscribe' }).click();
      const limitedAnswer = await answer;
      expect(limitedAnswer.status()).toBe(429);
      expect(Number(await limitedAnswer.headerValue('retry-after'))).toBeGreaterThan(60);
      await expect.poll(() => page.locator('.listgate-error').textContent()).toBe('Too many attempts from here. Please try again in 2 minutes.');
      expect(await page.getByRole('button', { name: 'Subscribe' }).isEnabled()).toBe(true);
      expect(limited.db.prepare('SELECT count(*) AS n FROM subscriptions').get()).toEqual({ n: 1 });
      await expectGoodPage(expect, page, 'embed-429');
    } finally {
      await limitedSite.close();
      await limited.stop();
    }
  });

  it('falls back to a plain post where the origin is not allowed', async ({ expect }) => {
    const stranger = await newPage(await context());
    await stranger.goto(strangerSite.url);
    const email = address('stranger');
    await stranger.getByLabel('Email address').fill(email);
    await stranger.getByRole('button', { name: 'Subscribe' }).click();
    await stranger.waitForURL(`${server.url}/lists/newsletter/check-inbox`);
    await mailTo(email);
    expect(server.db.prepare('SELECT count(*) AS n FROM subscriptions WHERE email = ?').get(email)).toEqual({ n: 1 });
    await expectGoodPage(expect, stranger, 'check-inbox');
  });

  it('shows error and "this wasn\'t me" pages that pass the same checks, in the reader\'s language', async ({ expect }) => {
    const page = await newPage(await context());
    const bad = await page.goto(`${server.url}/confirm?token=not-a-token`);
    expect(bad?.status()).toBe(400);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('This link is not valid');
    await expectGoodPage(expect, page, 'error-invalid-link');
    const missing = await page.goto(`${server.url}/lists/no-such-list`);
    expect(missing?.status()).toBe(404);
    await expectGoodPage(expect, page, 'error-not-found');

    const ja = await newPage(await context({ locale: 'ja-JP', extraHTTPHeaders: { 'Accept-Language': 'ja,en;q=0.5' } }));
    await ja.goto(`${server.url}/unsubscribe?token=u_${'x'.repeat(32)}`);
    expect(await ja.getAttribute('html', 'lang')).toBe('ja');
    expect(await ja.getByRole('heading', { level: 1 }).textContent()).toBe('このリンクは無効です');
    await expectGoodPage(expect, ja, 'error-invalid-link-ja');

    const email = address('notme');
    const res = await fetch(`${server.url}/lists/newsletter/subscribe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email }),
    });
    expect(res.status).toBe(202);
    const notMe = (await mailTo(email)).links.find((l) => l.startsWith(`${server.url}/not-me?token=`))!;
    await page.goto(notMe);
    await expectGoodPage(expect, page, 'not-me');
    await page.getByRole('button', { name: 'Stop all mail to this address' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Done');
    expect(stateOf(email)).toBe('suppressed');
    await expectGoodPage(expect, page, 'not-me-done');
  });
});
