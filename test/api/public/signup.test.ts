import { describe, expect, it } from 'vitest';
import { SIGNUP_ANSWER_FLOOR_MS } from '../../../src/routes/public/signup';
import { signup, testApp } from '../../support/app';
import { confirmed } from '../../support/flow';
import { confirmTokenFor } from '../../support/mail';

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

describe('POST /lists/{list}/subscribe', () => {
  it('answers no sooner than the floor, for a new address and for one already confirmed alike', async () => {
    const t = await testApp();
    await confirmed(t, 'known@example.com');
    // In process a signup takes well under a millisecond; a new address writes rows a known one
    // does not, and without the floor that difference is what a timing attacker measures.
    for (const email of ['fresh@example.com', 'known@example.com', 'Known@Example.com']) {
      const started = performance.now();
      const res = await signup(t, email);
      const took = performance.now() - started;
      expect(res.status).toBe(202);
      expect(took, email).toBeGreaterThanOrEqual(SIGNUP_ANSWER_FLOOR_MS - 0.05);
    }
  });

  it('answers 202 {"status":"pending"} to JSON and queues one confirmation mail', async () => {
    const t = await testApp();
    const res = await signup(t, 'Ada@Example.com', { name: 'Ada' });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ status: 'pending' });
    await t.deliver();
    expect(t.mailer.sent).toHaveLength(1);
    expect(t.mailer.sent[0].to).toBe('Ada@example.com');
    expect(t.mailer.sent[0].text).toContain('http://localhost:3000/confirm?token=');
    expect(t.mailer.sent[0].html).toContain('http://localhost:3000/confirm?token=');
  });

  it('answers a browser form post with 303 to the hosted check-your-inbox page', async () => {
    const t = await testApp();
    const res = await t.app.request('/lists/newsletter/subscribe', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      body: form({ email: 'b@example.com' }),
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/lists/newsletter/check-inbox');
    const page = await t.app.request(res.headers.get('location')!);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Check your inbox');
  });

  it('accepts multipart and answers JSON when Accept prefers it', async () => {
    const t = await testApp();
    const body = new FormData();
    body.set('email', 'c@example.com');
    const res = await t.app.request('/lists/newsletter/subscribe', { method: 'POST', body, headers: { accept: 'application/json, text/html;q=0.5' } });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ status: 'pending' });
  });

  it('redirects to the list redirect_pending when it has one', async () => {
    const t = await testApp();
    await t.deps.db.run(
      (await import('drizzle-orm')).sql`UPDATE lists SET redirect_pending = 'https://site.example/thanks' WHERE slug = 'newsletter'`,
    );
    const res = await t.app.request('/lists/newsletter/subscribe', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form({ email: 'd@example.com' }),
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('https://site.example/thanks');
  });

  it('answers with the same status and body whether the address is new, pending, confirmed or unsubscribed', async () => {
    const t = await testApp();
    const answers: Array<[number, string]> = [];
    const record = async (res: Response) => answers.push([res.status, await res.text()]);
    await record(await signup(t, 'same@example.com')); // new
    await record(await signup(t, 'same@example.com')); // pending
    await t.deliver();
    const token = confirmTokenFor(t.mailer.sent, 'same@example.com');
    await t.app.request('/confirm', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }) });
    await record(await signup(t, 'same@example.com')); // confirmed
    const unsub = t.sqlite.sqlite.prepare("SELECT unsub_token FROM subscriptions WHERE key = 'same@example.com'").get() as { unsub_token: string };
    await t.app.request(`/unsubscribe?token=${unsub.unsub_token}`, { method: 'POST', body: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    await record(await signup(t, 'same@example.com')); // unsubscribed
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    expect(answers[0][0]).toBe(202);
  });

  it('sends an unsubscribed address that signs up again a fresh confirmation at once', async () => {
    const t = await testApp();
    await signup(t, 'again@example.com');
    await t.deliver();
    await t.app.request('/confirm', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: confirmTokenFor(t.mailer.sent, 'again@example.com') }) });
    const unsub = t.sqlite.sqlite.prepare("SELECT unsub_token FROM subscriptions").get() as { unsub_token: string };
    await t.app.request(`/unsubscribe?token=${unsub.unsub_token}`, { method: 'POST', body: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    t.clock.advance(16 * 60_000);
    await signup(t, 'again@example.com');
    await t.deliver();
    expect(t.mailer.sent).toHaveLength(2);
  });

  it('treats differently-cased addresses as one subscriber', async () => {
    const t = await testApp();
    await signup(t, 'Case@Example.com');
    await signup(t, 'case@EXAMPLE.COM');
    const rows = t.sqlite.sqlite.prepare('SELECT email FROM subscriptions').all();
    expect(rows).toEqual([{ email: 'Case@example.com' }]);
  });

  it('stores consent evidence: time, client address, user agent, source page, list', async () => {
    const t = await testApp();
    await signup(t, 'ev@example.com', { ip: '198.51.100.7', headers: { 'user-agent': 'TestBrowser/1', referer: 'https://blog.example/post' } });
    const row = t.sqlite.sqlite.prepare('SELECT * FROM subscriptions').get() as Record<string, unknown>;
    expect(row).toMatchObject({ signup_ip: '198.51.100.7', signup_user_agent: 'TestBrowser/1', signup_source: 'https://blog.example/post', list_id: 1 });
    expect(row.created_at).toBe(t.clock.now());
  });

  it('answers 422 with a whole-address suggestion for a likely typo', async () => {
    const t = await testApp();
    const res = await signup(t, 'someone@gmial.com');
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const body = (await res.json()) as any;
    expect(body).toMatchObject({ status: 422, suggestion: 'someone@gmail.com' });
    expect(body.errors[0]).toMatchObject({ field: 'email' });
  });

  it('answers 422 for an invalid address and stores nothing', async () => {
    const t = await testApp();
    const res = await signup(t, 'not-an-address');
    expect(res.status).toBe(422);
    const body = (await res.json()) as any;
    expect(body).toMatchObject({ type: expect.any(String), title: expect.any(String), status: 422, detail: expect.any(String) });
    expect(body.errors).toEqual([expect.objectContaining({ field: 'email', code: 'invalid' })]);
    expect(t.sqlite.sqlite.prepare('SELECT count(*) AS n FROM subscriptions').get()).toEqual({ n: 0 });
  });

  it('answers an unknown list with 404, an unsupported content type with 415, broken JSON with 400', async () => {
    const t = await testApp();
    expect((await signup(t, 'a@example.com', { list: 'nope' })).status).toBe(404);
    const text = await t.app.request('/lists/newsletter/subscribe', { method: 'POST', body: 'email=a@example.com', headers: { 'content-type': 'text/plain' } });
    expect(text.status).toBe(415);
    const broken = await t.app.request('/lists/newsletter/subscribe', { method: 'POST', body: '{"email":', headers: { 'content-type': 'application/json' } });
    expect(broken.status).toBe(400);
    expect(broken.headers.get('content-type')).toContain('application/problem+json');
  });

  it('answers 413 for a body over the limit', async () => {
    const t = await testApp();
    const res = await t.app.request('/lists/newsletter/subscribe', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'a@example.com', name: 'x'.repeat(40_000) }),
    });
    expect(res.status).toBe(413);
  });

  it('answers a filled honeypot exactly like a success and stores nothing', async () => {
    const t = await testApp();
    const res = await t.app.request('/lists/newsletter/subscribe', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'bot@example.com', _gotcha: 'http://spam' }),
    });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ status: 'pending' });
    expect(t.sqlite.sqlite.prepare('SELECT count(*) AS n FROM subscriptions').get()).toEqual({ n: 0 });
  });

  it('never puts a typed name into the mail as HTML or a link', async () => {
    const t = await testApp();
    await signup(t, 'n1@example.com', { name: '<a href="https://evil.example">Win</a>' });
    t.clock.advance(1);
    await signup(t, 'n2@example.com', { name: 'Visit www.evil.example now' });
    await signup(t, 'n3@example.com', { name: 'Zoë O’Brien' });
    await t.deliver();
    for (const m of t.mailer.sent.slice(0, 2)) {
      expect(m.html).not.toContain('evil');
      expect(m.text).not.toContain('evil');
      expect(m.html).not.toContain('<a href="https://evil');
    }
    expect(t.mailer.sent[2].html).toContain('Zoë O’Brien');
  });

  it('writes the mail in the list language (ja)', async () => {
    const t = await testApp();
    t.sqlite.sqlite.prepare("UPDATE lists SET language = 'ja', name = 'ニュース' WHERE slug = 'newsletter'").run();
    await signup(t, 'ja@example.com');
    await t.deliver();
    expect(t.mailer.sent[0].subject).toBe('ニュース の購読確認');
    expect(t.mailer.sent[0].text).toContain('登録を確認');
  });
});
