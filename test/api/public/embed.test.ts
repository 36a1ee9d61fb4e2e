import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { registerEmbed, snippetFor } from '../../../src/cli/embed';
import { openSqlite } from '../../../src/db/sqlite';
import { putList } from '../../../src/db/queries/lists';
import { embedSnippet } from '../../../src/pages/snippet';
import { testApp } from '../../support/app';

describe('GET /embed.js', () => {
  it('serves a small public script any site may load, cached for a day and revalidated by ETag', async () => {
    const t = await testApp();
    const res = await t.app.request('/embed.js');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(res.headers.get('cache-control')).toMatch(/public, max-age=86400/);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    const body = await res.text();
    expect(() => new Function(body)).not.toThrow();
    expect(gzipSync(body).length).toBeLessThan(5 * 1024);
    expect(body).not.toMatch(/\bimport\b|require\(/);

    const again = await t.app.request('/embed.js', { headers: { 'if-none-match': res.headers.get('etag')! } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
  });
});

describe('the embed snippet', () => {
  it('is a plain form posting to the list, then the script, with labels in the list language', () => {
    const html = embedSnippet('https://lists.example.org/', { slug: 'news', name: 'News', language: 'ja' });
    expect(html).toContain('<form data-listgate action="https://lists.example.org/lists/news/subscribe" method="post" lang="ja">');
    expect(html).toContain('<label for="listgate-news-email">メールアドレス</label>');
    expect(html).toContain('name="_gotcha"');
    expect(html).toContain('<script src="https://lists.example.org/embed.js" defer></script>');
    expect(html).not.toContain('style=');
    expect(html).not.toContain('turnstile');
  });

  it('carries an escaped Turnstile site key only when the list has one', () => {
    const html = embedSnippet('https://l.example', { slug: 'x', name: 'X', language: 'en', turnstileSiteKey: '0x4A"><script>' });
    expect(html).toContain('data-turnstile-sitekey="0x4A&#34;&#62;&#60;script&#62;"');
    expect(html).not.toContain('"><script>');
  });
});

describe('npx listgate embed <list>', () => {
  const dirs: string[] = [];
  afterEach(() => {
    vi.restoreAllMocks();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  async function dbWithList() {
    const dir = mkdtempSync(join(tmpdir(), 'listgate-embed-'));
    dirs.push(dir);
    const path = join(dir, 'db.sqlite');
    const sqlite = openSqlite(path);
    await putList(sqlite.db, 'shuukan', { name: '週刊', language: 'ja', turnstileSiteKey: '1x00000000000000000000AA' }, Date.now());
    sqlite.close();
    return path;
  }

  it('prints the snippet for a list in the database, with PUBLIC_URL, its language and site key', async () => {
    const DATABASE_PATH = await dbWithList();
    const out: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((s) => (out.push(String(s)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const program = new Command().exitOverride();
    registerEmbed(program, { PUBLIC_URL: 'https://news.example.com', DATABASE_PATH });
    await program.parseAsync(['embed', 'shuukan'], { from: 'user' });
    const text = out.join('');
    expect(text).toContain('action="https://news.example.com/lists/shuukan/subscribe"');
    expect(text).toContain('lang="ja"');
    expect(text).toContain('data-turnstile-sitekey="1x00000000000000000000AA"');
    expect(text).toContain('<script src="https://news.example.com/embed.js" defer></script>');
  });

  it('refuses a list the database does not have', async () => {
    const DATABASE_PATH = await dbWithList();
    await expect(snippetFor('nope', {}, { DATABASE_PATH })).rejects.toThrow('there is no list "nope"');
  });

  it('without a database here (a Workers deployment) prints a snippet for the --public-url given, and says so', async () => {
    const r = await snippetFor('newsletter', { lang: 'en', publicUrl: 'https://a.example' }, { DATABASE_PATH: join(tmpdir(), 'listgate-missing', 'none.db') });
    expect(r.snippet).toContain('action="https://a.example/lists/newsletter/subscribe"');
    expect(r.note).toContain('no database');
  });

  it('without a database and without --public-url refuses, as every read command does', async () => {
    const missing = join(tmpdir(), 'listgate-missing', 'none.db');
    await expect(snippetFor('newsletter', {}, { DATABASE_PATH: missing, PUBLIC_URL: 'https://a.example' })).rejects.toThrow(`no database at ${missing}`);
  });
});
