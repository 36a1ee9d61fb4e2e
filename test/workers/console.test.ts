import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { PUBLIC_URL, workerHarness } from './harness';

const form = (fields: Record<string, string>, headers: Record<string, string> = {}) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded', origin: PUBLIC_URL, ...headers },
  body: new URLSearchParams(fields).toString(),
});

// The operator console on workerd and D1: the same pages, sessions and CSRF checks as on Node.
describe('operator console on workerd', () => {
  it('signs in, shows the overview and a list with its chart, saves settings, refuses a cross-site post, and signs out', async () => {
    const h = workerHarness();
    const signIn = await h.request('/admin/sign-in', form({ key: env.ADMIN_TOKEN }));
    expect(signIn.status).toBe(303);
    const setCookie = signIn.headers.getSetCookie().find((c) => c.startsWith('listgate_console='))!;
    expect(setCookie).toMatch(/; Path=\/admin; HttpOnly; SameSite=Strict$/);
    const cookie = setCookie.split(';')[0];

    const overview = await h.request('/admin', { headers: { cookie } });
    expect(overview.status).toBe(200);
    expect(overview.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await overview.text();
    expect(html).toContain('href="/admin/lists/newsletter"');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(html)![1];

    const list = await (await h.request('/admin/lists/newsletter', { headers: { cookie } })).text();
    expect(list).toContain('<title id="chart-signups-title">Signups and confirmations, last 30 days</title>');
    const preview = await h.request('/admin/lists/newsletter/preview', { headers: { cookie } });
    expect(await preview.text()).toContain('id="preview-subject"');

    const foreign = await h.request('/admin/lists/newsletter/settings', form({ name: 'Hijacked', language: 'en', _csrf: csrf }, { origin: 'https://evil.example', cookie }));
    expect(foreign.status).toBe(403);
    const saved = await h.request('/admin/lists/newsletter/settings', form({ name: 'Newsletter', language: 'en', 'confirmation_mail.subject': 'Hello from workerd', _csrf: csrf }, { cookie }));
    expect(saved.status).toBe(303);
    const row = await env.DB.prepare("SELECT name, confirmation_mail FROM lists WHERE slug = 'newsletter'").first<{ name: string; confirmation_mail: string }>();
    expect(row!.name).toBe('Newsletter');
    expect(JSON.parse(row!.confirmation_mail).subject).toBe('Hello from workerd');

    expect((await h.request('/admin/sign-out', form({ _csrf: csrf }, { cookie }))).status).toBe(303);
    expect((await h.request('/admin', { headers: { cookie } })).status).toBe(303);
  });

  it('imports an uploaded file through the console and shows the webhooks page', async () => {
    const h = workerHarness();
    const cookie = (await h.request('/admin/sign-in', form({ key: env.ADMIN_TOKEN }))).headers.getSetCookie().find((c) => c.startsWith('listgate_console='))!.split(';')[0];
    const page = await h.request('/admin/lists/newsletter/imports', { headers: { cookie } });
    expect(page.status).toBe(200);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1];
    const upload = new FormData();
    upload.append('_csrf', csrf);
    upload.append('mode', 'confirmed');
    upload.append('consent_source', 'workerd test form');
    upload.append('file', new File(['email,name\nworker1@example.com,One\nworker2@example.com,Two\n'], 'people.csv', { type: 'text/csv' }));
    const res = await h.request('/admin/lists/newsletter/imports', { method: 'POST', headers: { origin: PUBLIC_URL, cookie }, body: upload });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<dd id="report-imported">2</dd>');
    const row = await env.DB.prepare("SELECT count(*) AS n FROM subscriptions WHERE email LIKE 'worker%' AND state = 'confirmed'").first<{ n: number }>();
    expect(row!.n).toBe(2);
    const hooks = await h.request('/admin/webhooks', { headers: { cookie } });
    expect(hooks.status).toBe(200);
    expect(await hooks.text()).toContain('No webhooks yet.');
  });

  it('serves the console’s script and stylesheet as static assets', async () => {
    const assets = (env as unknown as { ASSETS: Fetcher }).ASSETS;
    for (const [path, type] of [['/assets/admin.js', 'text/javascript'], ['/assets/admin.css', 'text/css']]) {
      const res = await assets.fetch(`${PUBLIC_URL}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type'), path).toMatch(new RegExp(`^${type}`));
    }
  });
});
