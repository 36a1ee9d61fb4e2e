import { describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../../support/app';
import { consoleGet, consolePost, type ConsoleSession, signIn } from '../../support/console';
import { adminEnv, apiKey, makeKey } from '../../support/operator';

const URL_A = 'https://hooks.example.com/listgate';
const n = (t: TestApp, sql: string) => (t.sqlite.sqlite.prepare(sql).get() as { n: number }).n;

/** Makes a webhook through the console's form; answers the page and the new webhook's id. */
async function create(t: TestApp, s: ConsoleSession, fields: Record<string, string> = {}) {
  const res = await consolePost(t, s, '/admin/webhooks', { url: URL_A, 'event_subscriber.confirmed': '1', 'event_subscriber.erased': '1', ...fields });
  const html = await res.text();
  const id = /href="\/admin\/webhooks\/(wh_[^"]+)"/.exec(html)?.[1];
  return { res, html, id: id! };
}

describe('console: webhooks', () => {
  it('makes a webhook and shows its signing secret once; the list never shows it again', async () => {
    const t = await testApp(adminEnv);
    const s = await signIn(t);
    const { res, html, id } = await create(t, s, { lists: 'newsletter' });
    expect(res.status).toBe(200);
    const secret = /id="new-webhook-secret">(whsec_[^<]+)</.exec(html)?.[1];
    expect(secret).toBeDefined();
    expect(html).toContain('it is not shown again');
    const list = await (await consoleGet(t, s, '/admin/webhooks')).text();
    expect(list).toContain(URL_A);
    expect(list).toContain('subscriber.confirmed, subscriber.erased');
    expect(list).toContain('<dd>newsletter</dd>');
    expect(list).not.toContain(secret!);
    expect(list).not.toContain('whsec_');
    expect(await (await consoleGet(t, s, `/admin/webhooks/${id}`)).text()).not.toContain('whsec_');
  });

  it('answers bad input with a notice and makes nothing: no event, a URL that is not one, an unknown list', async () => {
    const t = await testApp(adminEnv);
    const s = await signIn(t);
    for (const [fields, said] of [
      [{ url: URL_A }, 'choose at least one event'],
      [{ url: 'not a url', 'event_subscriber.confirmed': '1' }, 'url: not a URL'],
      [{ url: URL_A, 'event_subscriber.confirmed': '1', lists: 'nope' }, 'no list'],
    ] as const) {
      const res = await consolePost(t, s, '/admin/webhooks', fields);
      expect(res.status, said).toBe(422);
      const html = await res.text();
      expect(html).toContain('id="new-webhook-problem"');
      expect(html).toContain(said);
    }
    expect(n(t, 'SELECT count(*) AS n FROM webhooks')).toBe(0);
  });

  it('shows a disabled webhook as disabled and why, enables it again, replays from a position, and deletes it; each audited under the key’s id', async () => {
    const t = await testApp(adminEnv);
    const { id: keyId, key } = await makeKey(t, ['admin']);
    const s = await signIn(t, key);
    const { id } = await create(t, s);
    t.sqlite.sqlite.prepare('UPDATE push_consumers SET disabled_at = ?, disabled_reason = ? WHERE id = ?').run(t.clock.now(), 'every attempt failed for 5 days', id);
    const list = await (await consoleGet(t, s, '/admin/webhooks')).text();
    expect(list).toMatch(/disabled since \d{4}-\d\d-\d\d/);
    expect(list).toContain('Why: every attempt failed for 5 days.');

    const enabled = await consolePost(t, s, `/admin/webhooks/${id}/enable`);
    expect(enabled.status).toBe(200);
    expect(await enabled.text()).toContain('The webhook is enabled again');
    expect(n(t, `SELECT count(*) AS n FROM push_consumers WHERE id = '${id}' AND disabled_at IS NULL`)).toBe(1);

    expect(await (await consolePost(t, s, `/admin/webhooks/${id}/replay`, { after: '0' })).text()).toContain('The events after position 0 are queued again.');
    const tooFar = await consolePost(t, s, `/admin/webhooks/${id}/replay`, { after: '999999' });
    expect(tooFar.status).toBe(422);
    expect(await tooFar.text()).toContain('the feed ends at');
    expect((await consolePost(t, s, `/admin/webhooks/${id}/replay`, { after: '-1' })).status).toBe(422);

    const deleted = await consolePost(t, s, `/admin/webhooks/${id}/delete`);
    expect(await deleted.text()).toContain(`The webhook to ${URL_A} was deleted.`);
    expect(n(t, 'SELECT count(*) AS n FROM webhooks')).toBe(0);
    expect((await consoleGet(t, s, `/admin/webhooks/${id}`)).status).toBe(404);

    const rows = t.sqlite.sqlite.prepare("SELECT actor, action, target FROM audit_log WHERE action LIKE 'webhook.%' ORDER BY id").all();
    expect(rows).toEqual(['webhook.create', 'webhook.enable', 'webhook.replay', 'webhook.delete'].map((action) => ({ actor: keyId, action, target: id })));
  });

  it('shows the recent deliveries with status or error, and the last one on the list', async () => {
    const t = await testApp(adminEnv);
    const s = await signIn(t);
    const { id } = await create(t, s);
    const insert = t.sqlite.sqlite.prepare(
      "INSERT INTO push_attempts (consumer_id, delivery_id, message_id, seq, type, attempt, at, duration_ms, status, error, excerpt, outcome) VALUES (?, 1, 'msg_1', 7, 'confirmed', ?, ?, 120, ?, ?, NULL, ?)",
    );
    insert.run(id, 1, t.clock.now() - 60_000, 500, 'status 500', 'retrying');
    insert.run(id, 2, t.clock.now(), 200, null, 'delivered');
    const list = await (await consoleGet(t, s, '/admin/webhooks')).text();
    expect(list).toMatch(/Last attempt<\/dt><dd><span class="badge outcome-delivered">delivered<\/span> subscriber.confirmed · 200/);
    const page = await (await consoleGet(t, s, `/admin/webhooks/${id}`)).text();
    expect(page).toContain('status 500');
    expect(page).toContain('retrying');
    expect(page.indexOf('outcome-delivered')).toBeLessThan(page.indexOf('outcome-retrying'));
  });

  it('refuses a key limited to lists: no webhooks in the navigation, 403 on every page and form', async () => {
    const t = await testApp(adminEnv);
    const admin = await signIn(t);
    const { id } = await create(t, admin, { lists: 'newsletter' });
    const s = await signIn(t, await apiKey(t, ['admin'], ['newsletter']));
    expect(await (await consoleGet(t, s, '/admin')).text()).not.toContain('href="/admin/webhooks"');
    expect((await consoleGet(t, s, '/admin/webhooks')).status).toBe(403);
    expect((await consoleGet(t, s, `/admin/webhooks/${id}`)).status).toBe(403);
    expect((await consolePost(t, s, '/admin/webhooks', { url: URL_A, 'event_subscriber.confirmed': '1', lists: 'newsletter' })).status).toBe(403);
    expect((await consolePost(t, s, `/admin/webhooks/${id}/delete`)).status).toBe(403);
    expect(n(t, 'SELECT count(*) AS n FROM webhooks')).toBe(1);
  });

  it('refuses a foreign-Origin or tokenless post and changes nothing', async () => {
    const t = await testApp(adminEnv);
    const s = await signIn(t);
    const { id } = await create(t, s);
    for (const opts of [{ origin: 'https://evil.example' }, { csrf: null }]) {
      expect((await consolePost(t, s, `/admin/webhooks/${id}/delete`, {}, opts)).status).toBe(403);
      expect((await consolePost(t, s, '/admin/webhooks', { url: 'https://evil.example/x', 'event_subscriber.confirmed': '1' }, opts)).status).toBe(403);
    }
    expect(n(t, 'SELECT count(*) AS n FROM webhooks')).toBe(1);
  });
});
