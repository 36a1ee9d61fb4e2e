import { describe, expect, it } from 'vitest';
import { putList } from '../../../src/db/queries/lists';
import { type TestApp, testApp } from '../../support/app';

const browserPost = (t: TestApp, list: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
  t.app.request(
    `/lists/${list}/subscribe`,
    { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html', ...headers }, body: new URLSearchParams(fields).toString() },
    { clientIp: '198.51.100.7' },
  );

/** What every hosted page promises: a language, no script, no inline style (the CSP forbids both). */
function expectPlainPage(html: string, lang: string) {
  expect(html).toContain(`<html lang="${lang}">`);
  expect(html).not.toMatch(/<script|style=/i);
  expect(html).toContain('<link rel="stylesheet" href="/assets/listgate.css"/>');
}

describe('the hosted signup page after a failed browser post', () => {
  it('answers 422 with the form again, what was typed, and a one-button "Did you mean" fix', async () => {
    const t = await testApp();
    const res = await browserPost(t, 'newsletter', { email: 'ada@gmial.com', name: 'Ada' });
    expect(res.status).toBe(422);
    const html = await res.text();
    expectPlainPage(html, 'en');
    expect(html).toContain('role="alert"');
    expect(html).toContain('Did you mean ada@gmail.com?');
    expect(html).toMatch(/<form method="post" action="\/lists\/newsletter\/subscribe" class="suggestion"><input type="hidden" name="email" value="ada@gmail.com"\/><input type="hidden" name="name" value="Ada"\/>/);
    expect(html).toContain('value="ada@gmial.com"');
    expect(html).toContain('aria-invalid="true"');

    const fixed = await browserPost(t, 'newsletter', { email: 'ada@gmail.com', name: 'Ada' });
    expect(fixed.status).toBe(303);
  });

  it('speaks the list language and explains other invalid addresses in English lists', async () => {
    const t = await testApp();
    await putList(t.deps.db, 'shuukan', { name: '週刊', language: 'ja' }, t.clock.now());
    const ja = await (await browserPost(t, 'shuukan', { email: 'taro@gmial.com' })).text();
    expectPlainPage(ja, 'ja');
    expect(ja).toContain('メールアドレスをご確認ください。');
    expect(ja).toContain('taro@gmail.com の間違いではありませんか？');

    const en = await browserPost(t, 'newsletter', { email: 'not an address' });
    expect(en.status).toBe(422);
    expect(await en.text()).toContain('Enter a valid email address, like name@example.com.');
  });

  it('answers 429 with Retry-After and a page that says to wait, in the list language', async () => {
    const t = await testApp({ RATE_LIMIT_SIGNUP_BURST: '1', RATE_LIMIT_SIGNUP_PER_MINUTE: '1' });
    await putList(t.deps.db, 'shuukan', { name: '週刊', language: 'ja' }, t.clock.now());
    expect((await browserPost(t, 'shuukan', { email: 'a@example.com' })).status).toBe(303);
    const res = await browserPost(t, 'shuukan', { email: 'b@example.com' });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    const html = await res.text();
    expectPlainPage(html, 'ja');
    expect(html).toContain('試行回数が多すぎます。');
  });

  it('leaves JSON answers alone: problem+json with the suggestion, CORS for allowed origins exposing Retry-After', async () => {
    const t = await testApp();
    await putList(t.deps.db, 'newsletter', { name: 'Newsletter', allowedOrigins: ['https://site.example'] }, t.clock.now());
    const res = await t.app.request('/lists/newsletter/subscribe', {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'https://site.example' },
      body: JSON.stringify({ email: 'ada@gmial.com' }),
    });
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(((await res.json()) as { suggestion?: string }).suggestion).toBe('ada@gmail.com');
    expect(res.headers.get('access-control-allow-origin')).toBe('https://site.example');
    expect(res.headers.get('access-control-expose-headers')).toBe('Retry-After');
  });
});

describe('error pages', () => {
  it('are translated by Accept-Language where no list is known, with the status of the problem', async () => {
    const t = await testApp();
    const ja = await t.app.request('/lists/no-such-list', { headers: { 'accept-language': 'ja-JP,ja;q=0.9,en;q=0.5' } });
    expect(ja.status).toBe(404);
    const html = await ja.text();
    expectPlainPage(html, 'ja');
    expect(html).toContain('<h1>ページが見つかりません</h1>');

    const en = await t.app.request('/confirm?token=garbage', { headers: { 'accept-language': 'en' } });
    expect(en.status).toBe(400);
    expect(await en.text()).toContain('<h1>This link is not valid</h1>');
  });

  it('do not show English details on Japanese pages', async () => {
    const t = await testApp();
    const res = await t.app.request('/confirm', {
      method: 'POST',
      headers: { 'content-type': 'text/plain', 'accept-language': 'ja' },
      body: 'x',
    });
    expect(res.status).toBe(415);
    const html = await res.text();
    expect(html).toContain('<h1>エラーが発生しました</h1>');
    expect(html).not.toContain('Send application/');
  });
});
