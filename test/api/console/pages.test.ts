import { describe, expect, it } from 'vitest';
import { testApp } from '../../support/app';
import { consoleGet, consolePost, signIn } from '../../support/console';
import { confirmed } from '../../support/flow';
import { adminEnv, api } from '../../support/operator';

const PAGES = ['/admin', '/admin/lists/newsletter', '/admin/lists/newsletter?days=90', '/admin/lists/newsletter/delete', '/admin/subscribers', '/admin/keys', '/admin/suppressions', '/admin/sign-in'];

async function setUp(env: Record<string, string> = {}) {
  const t = await testApp({ ...adminEnv, ...env });
  return { t, s: await signIn(t) };
}

describe('console pages', () => {
  it.each(PAGES)('%s is a whole page in English or Japanese, by the browser or by choice', async (path) => {
    const { t, s } = await setUp();
    const en = await consoleGet(t, s, path);
    expect(en.status).toBe(200);
    const html = await en.text();
    expect(html.startsWith('<!doctype html><html lang="en">')).toBe(true);
    expect(html).not.toMatch(/<script>|\sstyle=|\son[a-z]+=/i);
    const ja = await t.app.request(path, { headers: { cookie: s.cookie, 'accept-language': 'ja,en;q=0.5' } });
    expect(await ja.text()).toMatch(/^<!doctype html><html lang="ja">/);
  });

  it('remembers a chosen language in a cookie, over the browser’s', async () => {
    const { t, s } = await setUp();
    const chose = await t.app.request('/admin?lang=ja', { headers: { cookie: s.cookie } });
    const lang = chose.headers.getSetCookie().find((c) => c.startsWith('listgate_lang='))!;
    expect(lang).toMatch(/^listgate_lang=ja; Max-Age=31536000; Path=\/admin; HttpOnly; Secure; SameSite=Strict$/);
    const later = await t.app.request('/admin/keys', { headers: { cookie: `${s.cookie}; listgate_lang=ja`, 'accept-language': 'en' } });
    expect(await later.text()).toContain('<h1>APIキー</h1>');
  });

  it('draws the daily stats as an SVG chart with a title, a description and the same numbers in a table', async () => {
    const { t, s } = await setUp();
    await confirmed(t, 'ada@example.com');
    const html = await (await consoleGet(t, s, '/admin/lists/newsletter')).text();
    expect(html).toContain('<svg viewBox="0 0 400 170" role="img" aria-labelledby="chart-signups-title chart-signups-desc"');
    expect(html).toContain('<title id="chart-signups-title">Signups and confirmations, last 30 days</title>');
    expect(html).toMatch(/<desc id="chart-signups-desc">From \d{4}-\d\d-\d\d to 2026-11-01\. Signups: 1 in all, at most 1 a day\. Confirmed: 1 in all, at most 1 a day\.<\/desc>/);
    expect(html).toMatch(/<th scope="row">2026-11-01<\/th><td>1<\/td><td>1<\/td><td>0<\/td><td>0<\/td><td>0<\/td>/);
    expect((await (await consoleGet(t, s, '/admin/lists/newsletter?days=90')).text()).match(/<th scope="row">/g)).toHaveLength(90 + 7);
  });

  it('saves settings with the API’s validation: a bad field comes back marked, and nothing is saved', async () => {
    const { t, s } = await setUp();
    const bad = await consolePost(t, s, '/admin/lists/newsletter/settings', { name: 'News', language: 'en', from: 'not an address', reminder_after_hours: '72', 'confirmation_mail.subject': 'x'.repeat(201) });
    expect(bad.status).toBe(422);
    const html = await bad.text();
    expect(html).toContain('Some fields need attention; nothing was saved.');
    expect(html).toMatch(/id="f-from"[^>]*aria-invalid="true" aria-describedby="f-from-hint f-from-error"/);
    expect(html).toContain('<p class="field-error" id="f-confirmation-mail-subject-error">at most 200 characters</p>');
    expect(html).toContain('value="not an address"');
    expect(t.sqlite.sqlite.prepare("SELECT name FROM lists WHERE slug = 'newsletter'").get()).toEqual({ name: 'Newsletter' });

    const tooLate = await consolePost(t, s, '/admin/lists/newsletter/settings', { name: 'News', language: 'en', reminder_after_hours: '48' });
    expect(tooLate.status).toBe(422);
    expect(await tooLate.text()).toContain('must be less than CONFIRM_TTL_HOURS (48)');
  });

  it('saves every list field as PUT /v1/lists/{list} would, and keeps a Turnstile secret it does not show', async () => {
    const { t, s } = await setUp();
    const fields = {
      name: 'Weekly News',
      language: 'ja',
      from: 'News <news@example.com>',
      reply_to: 'editor@example.com',
      'confirmation_mail.subject': '{{list_name}} の確認',
      'confirmation_mail.intro': 'One.\n\nTwo.',
      'confirmation_mail.button': 'Yes',
      mail_footer: 'Sent by us.',
      reminder_after_hours: '24',
      consent_text: 'We mail weekly.',
      redirect_pending: 'https://example.com/pending',
      redirect_confirmed: 'https://example.com/done',
      allowed_origins: 'https://example.com\nhttps://www.example.com',
      check_mx: '1',
      block_disposable: '1',
      turnstile_site_key: '0x4AAA',
      turnstile_secret: '0x4BBB',
    };
    expect((await consolePost(t, s, '/admin/lists/newsletter/settings', fields)).status).toBe(303);
    const saved = await (await api(t, 'GET', '/v1/lists/newsletter')).json();
    expect(saved).toMatchObject({
      name: 'Weekly News',
      language: 'ja',
      from: 'News <news@example.com>',
      reply_to: 'editor@example.com',
      confirmation_mail: { subject: '{{list_name}} の確認', intro: 'One.\n\nTwo.', button: 'Yes' },
      mail_footer: 'Sent by us.',
      reminder_after_hours: 24,
      consent_text: 'We mail weekly.',
      redirect_pending: 'https://example.com/pending',
      redirect_confirmed: 'https://example.com/done',
      allowed_origins: ['https://example.com', 'https://www.example.com'],
      check_mx: true,
      block_disposable: true,
      turnstile_site_key: '0x4AAA',
      turnstile_secret_set: true,
    });
    const page = await (await consoleGet(t, s, '/admin/lists/newsletter?saved=1')).text();
    expect(page).not.toContain('0x4BBB');
    expect(page).toContain('The settings were saved.');
    // Saved again without touching the secret field: the secret stays.
    expect((await consolePost(t, s, '/admin/lists/newsletter/settings', { ...fields, turnstile_secret: '' })).status).toBe(303);
    expect(t.sqlite.sqlite.prepare("SELECT turnstile_secret AS s FROM lists WHERE slug = 'newsletter'").get()).toEqual({ s: '0x4BBB' });
  });

  it('previews the mail from the form’s fields without saving, in a sandboxed document of its own', async () => {
    const { t, s } = await setUp();
    const res = await consolePost(t, s, '/admin/lists/newsletter/preview', { name: 'Newsletter', language: 'en', 'confirmation_mail.subject': 'Confirm {{list_name}} <now>' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'self'; sandbox");
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    const html = await res.text();
    expect(html).toContain('<span id="preview-subject">Confirm Newsletter &lt;now&gt;</span>');
    expect(html).toContain('Hello Ada Lovelace');
    expect(t.sqlite.sqlite.prepare("SELECT confirmation_mail AS m FROM lists WHERE slug = 'newsletter'").get()).toEqual({ m: null });
    const saved = await (await consoleGet(t, s, '/admin/lists/newsletter/preview')).text();
    expect(saved).toContain('<span id="preview-subject">Confirm your subscription to Newsletter</span>');
    const list = await (await consoleGet(t, s, '/admin/lists/newsletter')).text();
    expect(list).toContain('<iframe name="mail-preview" title="Preview of the confirmation mail" src="/admin/lists/newsletter/preview" sandbox=""></iframe>');
  });

  it('queues a test mail, and says why when it cannot', async () => {
    const { t, s } = await setUp();
    const ok = await consolePost(t, s, '/admin/lists/newsletter/test-mail', { to: 'ops@example.com' });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('A test mail to ops@example.com is on its way.');
    await t.deliver();
    expect(t.mailer.sent.map((m) => m.to)).toEqual(['ops@example.com']);
    const bad = await consolePost(t, s, '/admin/lists/newsletter/test-mail', { to: 'nobody' });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toMatch(/id="test-to"[^>]*aria-invalid="true"/);
  });

  it('creates a list, and refuses a slug in use without touching that list', async () => {
    const { t, s } = await setUp();
    const made = await consolePost(t, s, '/admin/lists', { slug: 'weekly', name: 'Weekly' });
    expect(made.status).toBe(303);
    expect(made.headers.get('location')).toBe('/admin/lists/weekly?created=1');
    const taken = await consolePost(t, s, '/admin/lists', { slug: 'newsletter', name: 'Replaced' });
    expect(taken.status).toBe(409);
    expect(await taken.text()).toContain('A list with this slug exists already.');
    expect((await consolePost(t, s, '/admin/lists', { slug: 'Bad Slug', name: 'x' })).status).toBe(422);
    expect(t.sqlite.sqlite.prepare('SELECT slug, name FROM lists ORDER BY slug').all()).toEqual([
      { slug: 'newsletter', name: 'Newsletter' },
      { slug: 'weekly', name: 'Weekly' },
    ]);
  });

  it('deletes a list only when its slug is typed, after a page that names the consequences', async () => {
    const { t, s } = await setUp();
    await confirmed(t, 'ada@example.com');
    const page = await (await consoleGet(t, s, '/admin/lists/newsletter/delete')).text();
    expect(page).toContain('with its 1 confirmed and 0 pending subscriptions');
    expect((await consolePost(t, s, '/admin/lists/newsletter/delete', { confirm: 'news' })).status).toBe(422);
    expect(t.sqlite.sqlite.prepare('SELECT count(*) AS n FROM lists').get()).toEqual({ n: 1 });
    const gone = await consolePost(t, s, '/admin/lists/newsletter/delete', { confirm: 'newsletter' });
    expect(gone.headers.get('location')).toBe('/admin?deleted=newsletter');
    expect(t.sqlite.sqlite.prepare('SELECT count(*) AS n FROM lists').get()).toEqual({ n: 0 });
  });

  it('names what erasure does before doing it, and keeps addresses out of every URL', async () => {
    const { t, s } = await setUp();
    await confirmed(t, 'ada@example.com');
    const ask = await consolePost(t, s, '/admin/subscribers/erase', { email: 'ada@example.com' });
    const html = await ask.text();
    expect(html).toContain('<h1>Erase ada@example.com?</h1>');
    expect(html).toContain('from every list (Newsletter)');
    expect(html).toContain('This cannot be undone.');
    expect(html).not.toMatch(/(href|action)="[^"]*@/);
    expect(t.sqlite.sqlite.prepare('SELECT count(*) AS n FROM subscriptions').get()).toEqual({ n: 1 });
  });

  it('lifts a suppression from a complaint only with force', async () => {
    const { t, s } = await setUp();
    await api(t, 'POST', '/v1/events', undefined, { type: 'complaint', email: 'angry@example.com' });
    const refused = await consolePost(t, s, '/admin/suppressions/lift', { email: 'angry@example.com' });
    expect(refused.status).toBe(409);
    expect(await refused.text()).toContain('tick the box to lift it anyway');
    expect((await consolePost(t, s, '/admin/suppressions/lift', { email: 'angry@example.com', force: '1' })).status).toBe(200);
    expect(t.sqlite.sqlite.prepare('SELECT count(*) AS n FROM suppressions').get()).toEqual({ n: 0 });
  });

  it('shows a key’s secret once, on the answer that made it, and never again', async () => {
    const { t, s } = await setUp();
    const res = await consolePost(t, s, '/admin/keys', { scope_export: '1', lists: 'newsletter', name: 'mailer' });
    const secret = /<code id="new-key-secret">(lg_[^<]+)<\/code>/.exec(await res.text())![1];
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect((await api(t, 'GET', '/v1/lists/newsletter/subscribers', secret)).status).toBe(200);
    expect(await (await consoleGet(t, s, '/admin/keys')).text()).not.toContain(secret);
    expect((await consolePost(t, s, '/admin/keys', { name: 'no scope' })).status).toBe(422);
  });

  it('answers an unknown console page with the console’s own 404', async () => {
    const { t, s } = await setUp();
    const res = await consoleGet(t, s, '/admin/nothing');
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('<h1>Not found</h1>');
  });
});
