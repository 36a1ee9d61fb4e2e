import { describe, expect, it } from 'vitest';
import { testApp } from '../../support/app';
import { consoleGet, consolePost, signIn } from '../../support/console';
import { confirmed } from '../../support/flow';
import { adminEnv, apiKey, makeList } from '../../support/operator';

async function setUp() {
  const t = await testApp(adminEnv);
  await makeList(t, 'weekly', { name: 'Weekly' });
  await makeList(t, 'secret', { name: 'Secret list' });
  await confirmed(t, 'ada@example.com', { list: 'weekly' });
  await confirmed(t, 'ada@example.com', { list: 'secret' });
  const s = await signIn(t, await apiKey(t, ['admin'], ['weekly']));
  return { t, s };
}

describe('console: an admin key limited to lists sees only its lists', () => {
  it('shows only its lists on the overview, and no keys or suppressions in the navigation', async () => {
    const { t, s } = await setUp();
    const html = await (await consoleGet(t, s, '/admin')).text();
    expect(html).toContain('href="/admin/lists/weekly"');
    expect(html).not.toContain('/admin/lists/secret');
    expect(html).not.toContain('/admin/lists/newsletter');
    expect(html).not.toContain('href="/admin/keys"');
    expect(html).not.toContain('href="/admin/suppressions"');
    expect(html).toContain('limited to weekly');
  });

  it('opens and edits its list, and is refused (403) on any other, also on a list that does not exist', async () => {
    const { t, s } = await setUp();
    expect((await consoleGet(t, s, '/admin/lists/weekly')).status).toBe(200);
    expect((await consolePost(t, s, '/admin/lists/weekly/settings', { name: 'Weekly news', language: 'en' })).status).toBe(303);
    for (const path of ['/admin/lists/secret', '/admin/lists/secret/preview', '/admin/lists/secret/delete', '/admin/lists/nope']) {
      expect((await consoleGet(t, s, path)).status, path).toBe(403);
    }
    expect((await consolePost(t, s, '/admin/lists/secret/settings', { name: 'Mine now', language: 'en' })).status).toBe(403);
    expect(t.sqlite.sqlite.prepare("SELECT name FROM lists WHERE slug = 'secret'").get()).toEqual({ name: 'Secret list' });
  });

  it('is refused what spans lists: keys, suppressions, erasure, new lists, test mail', async () => {
    const { t, s } = await setUp();
    expect((await consoleGet(t, s, '/admin/keys')).status).toBe(403);
    expect((await consoleGet(t, s, '/admin/suppressions')).status).toBe(403);
    expect((await consolePost(t, s, '/admin/keys', { scope_admin: '1' })).status).toBe(403);
    expect((await consolePost(t, s, '/admin/subscribers/erase', { email: 'ada@example.com', confirm: 'erase' })).status).toBe(403);
    expect((await consolePost(t, s, '/admin/lists', { slug: 'more', name: 'More' })).status).toBe(403);
    expect((await consolePost(t, s, '/admin/lists/weekly/test-mail', { to: 'me@example.com' })).status).toBe(403);
    expect(t.sqlite.sqlite.prepare("SELECT count(*) AS n FROM subscriptions WHERE email = 'ada@example.com'").get()).toEqual({ n: 2 });
  });

  it('looks an address up on its lists only, and unsubscribes only there', async () => {
    const { t, s } = await setUp();
    const html = await (await consolePost(t, s, '/admin/subscribers', { email: 'ada@example.com' })).text();
    expect(html).toContain('Weekly');
    expect(html).not.toContain('Secret list');
    expect(html).not.toContain('Erase');
    expect((await consolePost(t, s, '/admin/subscribers/unsubscribe', { email: 'ada@example.com', list: 'secret' })).status).toBe(403);
    expect((await consolePost(t, s, '/admin/subscribers/unsubscribe', { email: 'ada@example.com', list: 'weekly' })).status).toBe(200);
    const states = t.sqlite.sqlite.prepare("SELECT l.slug, s.state FROM subscriptions s JOIN lists l ON l.id = s.list_id WHERE s.email = 'ada@example.com' ORDER BY l.slug").all();
    expect(states).toEqual([
      { slug: 'secret', state: 'confirmed' },
      { slug: 'weekly', state: 'unsubscribed' },
    ]);
  });
});
