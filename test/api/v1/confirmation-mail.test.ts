import { afterEach, describe, expect, it } from 'vitest';
import { drainDue } from '../../../src/mail/drain';
import { signup } from '../../support/app';
import { ADMIN, adminEnv, api, type Json } from '../../support/operator';
import { resendHarness } from '../../support/outbox';

type Harness = Awaited<ReturnType<typeof resendHarness>>;
const open: Harness[] = [];
async function harness(env: Record<string, string> = {}) {
  const h = await resendHarness({ ...adminEnv, ...env });
  open.push(h);
  return h;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((h) => h.close()));
});

const own = {
  name: 'The Weekly',
  from: 'Weekly <news@example.com>',
  reply_to: 'Editor <editor@example.com>',
  confirmation_mail: {
    subject: 'One click for {{list_name}}',
    intro: 'Thanks for signing up to {{list_name}}.\n\nWe write once a week, about <b>bread</b> & butter.',
    button: 'Yes, {{list_name}} please',
  },
  mail_footer: 'Sent by Example Bakery, 1 Main St.\nYou signed up at example.com.',
};

describe("a list's own confirmation mail", () => {
  it('carries the subject, intro, button, footer and reply-to in both parts, with every link listgate adds', async () => {
    const h = await harness();
    expect((await api(h, 'PUT', '/v1/lists/weekly', ADMIN, own)).status).toBe(201);
    expect((await signup(h, 'reader@example.com', { list: 'weekly', name: 'Ann' })).status).toBe(202);
    await drainDue(h.deps, 10);
    const [mail] = h.api.sent;
    expect(mail.subject).toBe('One click for The Weekly');
    expect(mail.replyTo).toEqual(['Editor <editor@example.com>']);
    expect(mail.from).toBe('Weekly <news@example.com>');
    for (const part of [mail.text!, mail.html!]) {
      expect(part).toContain('Thanks for signing up to The Weekly.');
      expect(part).toContain('Yes, The Weekly please');
      expect(part).toContain('Sent by Example Bakery, 1 Main St.');
    }
    // The list's text is text: markup in it is shown, never run.
    expect(mail.text).toContain('about <b>bread</b> & butter.');
    expect(mail.html).toContain('about &lt;b&gt;bread&lt;/b&gt; &amp; butter.');
    // The button, the link as copyable text and "this wasn't me", whatever the settings say.
    const confirm = mail.links.filter((l) => l.includes('/confirm?token='));
    const notMe = mail.links.filter((l) => l.includes('/not-me?token='));
    expect(confirm).toHaveLength(1);
    expect(notMe).toHaveLength(1);
    expect(mail.html).toContain(`>${confirm[0]}</a>`);
    expect(mail.text).toContain(confirm[0]);
    for (const link of mail.links) expect(link.length).toBeLessThanOrEqual(300);
    // The confirmation works.
    const token = new URL(confirm[0]).searchParams.get('token');
    const done = await h.app.request('/confirm', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }) });
    expect(done.status).toBe(200);
  });

  it('uses the list language\'s own wording for what the list does not set, and keeps every link short', async () => {
    const h = await harness({ PUBLIC_URL: 'https://newsletter-subscriptions.example-company.co.jp' });
    await api(h, 'PUT', '/v1/lists/shuukan', ADMIN, { name: '週刊ニュース', language: 'ja', from: 'ニュース <news@example.jp>' });
    await signup(h, 'yamada.taro+newsletter@example.co.jp', { list: 'shuukan' });
    await drainDue(h.deps, 10);
    const [mail] = h.api.sent;
    expect(mail.subject).toBe('週刊ニュース の購読確認');
    expect(mail.text).toContain('登録を確認する');
    expect(mail.links.length).toBeGreaterThanOrEqual(2);
    for (const link of mail.links) expect(link.length).toBeLessThanOrEqual(300);
  });

  it('renders each mail when it is sent, from the settings of that moment', async () => {
    const h = await harness();
    await api(h, 'PUT', '/v1/lists/weekly', ADMIN, { name: 'Weekly', confirmation_mail: { subject: 'Old subject' } });
    await signup(h, 'late@example.com', { list: 'weekly' });
    await api(h, 'PUT', '/v1/lists/weekly', ADMIN, { name: 'Weekly', confirmation_mail: { subject: 'New subject' } });
    await drainDue(h.deps, 10);
    expect(h.api.sent.map((m) => m.subject)).toEqual(['New subject']);
  });

  it('resends an in-doubt batch identical under its key, even after the settings changed', async () => {
    const h = await harness();
    await api(h, 'PUT', '/v1/lists/weekly', ADMIN, { name: 'Weekly', confirmation_mail: { subject: 'First words' } });
    await signup(h, 'doubt@example.com', { list: 'weekly' });
    let up = false;
    h.api.setFault({ status: 500, until: () => up });
    await drainDue(h.deps, 1);
    await api(h, 'PUT', '/v1/lists/weekly', ADMIN, { name: 'Weekly', confirmation_mail: { subject: 'Second words' } });
    up = true;
    h.clock.advance(30 * 60_000);
    await drainDue(h.deps, 10);
    expect(h.api.sent.map((m) => m.subject)).toEqual(['First words']);
    expect(new Set(h.api.requests.map((r) => r.idempotencyKey)).size).toBe(1);
  });

  it.each<[Record<string, unknown>, string]>([
    [{ confirmation_mail: { subject: 'Two\nlines' } }, 'confirmation_mail.subject'],
    [{ confirmation_mail: { subject: 'x'.repeat(201) } }, 'confirmation_mail.subject'],
    [{ confirmation_mail: { intro: 'x'.repeat(2001) } }, 'confirmation_mail.intro'],
    [{ confirmation_mail: { button: 'x'.repeat(61) } }, 'confirmation_mail.button'],
    [{ confirmation_mail: { subject: 'ok', colour: 'red' } }, 'confirmation_mail.colour'],
    [{ mail_footer: 'x'.repeat(1001) }, 'mail_footer'],
    [{ consent_text: 'x'.repeat(501) }, 'consent_text'],
    [{ reply_to: 'a@example.com, b@example.com' }, 'reply_to'],
    [{ reminder_after_hours: 48 }, 'reminder_after_hours'],
    [{ reminder_after_hours: -1 }, 'reminder_after_hours'],
  ])('refuses a bad value with 422 naming the field (%#: %s), and saves nothing', async (fields, field) => {
    const h = await harness();
    const res = await api(h, 'PUT', '/v1/lists/weekly', ADMIN, { name: 'Weekly', ...fields });
    expect(res.status).toBe(422);
    expect(((await res.json()) as Json).errors.map((e: Json) => e.field)).toContain(field);
    expect((await api(h, 'GET', '/v1/lists/weekly', ADMIN)).status).toBe(404);
  });

  it('previews the mail with sample data, with draft fields merged over the saved ones and nothing saved', async () => {
    const h = await harness();
    await api(h, 'PUT', '/v1/lists/weekly', ADMIN, own);
    const saved = (await (await api(h, 'POST', '/v1/lists/weekly/preview', ADMIN, {})).json()) as Json;
    expect(saved.subject).toBe('One click for The Weekly');
    expect(saved.text).toContain('Sent by Example Bakery');
    const draft = (await (await api(h, 'POST', '/v1/lists/weekly/preview', ADMIN, { confirmation_mail: { subject: 'Draft for {{list_name}}' } })).json()) as Json;
    expect(draft.subject).toBe('Draft for The Weekly');
    expect(draft.html).toMatch(/^<!doctype html>/);
    expect(draft.text).toMatch(/\/confirm\?token=/);
    expect(((await (await api(h, 'GET', '/v1/lists/weekly', ADMIN)).json()) as Json).confirmation_mail.subject).toBe('One click for {{list_name}}');
    expect((await api(h, 'POST', '/v1/lists/weekly/preview', ADMIN, { confirmation_mail: { nope: 1 } })).status).toBe(422);
    expect((await api(h, 'POST', '/v1/lists/nosuch/preview', ADMIN, {})).status).toBe(404);
  });

  it('sends a test mail to an operator (never to a suppressed address), rate-limited per key', async () => {
    const h = await harness();
    await api(h, 'PUT', '/v1/lists/weekly', ADMIN, own);
    const res = await api(h, 'POST', '/v1/lists/weekly/test-mail', ADMIN, { to: 'operator@example.com' });
    expect(res.status).toBe(202);
    await drainDue(h.deps, 10);
    expect(h.api.sent.map((m) => [m.to[0], m.subject])).toEqual([['operator@example.com', 'One click for The Weekly']]);
    expect(h.api.sent[0].text).toContain('This is a test mail');
    await api(h, 'POST', '/v1/suppressions', ADMIN, { email: 'blocked@example.com' });
    const blocked = await api(h, 'POST', '/v1/lists/weekly/test-mail', ADMIN, { to: 'blocked@example.com' });
    expect(blocked.status).toBe(422);
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await api(h, 'POST', '/v1/lists/weekly/test-mail', ADMIN, { to: `op${i}@example.com` })).status);
    expect(statuses).toEqual([202, 202, 429, 429]);
  });
});
