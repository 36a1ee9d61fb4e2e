import { describe, expect, it } from 'vitest';
import { testApp } from '../../support/app';
import { confirmed, pendingSignup } from '../../support/flow';
import { confirmTokenFor } from '../../support/mail';
import { ADMIN, adminEnv, api, type Json, makeKey, parseCsv } from '../../support/operator';

const tricky = [
  ['comma@example.com', 'Lovelace, Ada'],
  ['quote@example.com', 'Ada "the Countess" L.'],
  ['newline@example.com', 'first line\r\nsecond\nthird'],
  ['kanji@example.com', '山田 太郎'],
  ['plain@example.com', ''],
] as const;

/** Signup refuses control characters in names; rows from elsewhere (imports, older data) may hold them. */
async function confirmTricky(t: Awaited<ReturnType<typeof testApp>>) {
  for (const [email, name] of tricky) await confirmed(t, email, { name: /[\r\n]/.test(name) ? 'x' : name || undefined });
  const set = t.sqlite.sqlite.prepare('UPDATE subscriptions SET name = ? WHERE email = ?');
  for (const [email, name] of tricky) if (/[\r\n]/.test(name)) set.run(name, email);
}

describe('GET /v1/lists/{list}/subscribers (CSV and NDJSON)', () => {
  it('round-trips names with commas, quotes, line breaks and non-Latin text through RFC 4180 CSV', async () => {
    const t = await testApp(adminEnv);
    await confirmTricky(t);
    const res = await api(t, 'GET', '/v1/lists/newsletter/subscribers', ADMIN);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const text = await res.text();
    expect(text.startsWith('email,name,confirmed_at,unsubscribe_url,id\r\n')).toBe(true);
    // Quotes only where needed.
    expect(text).toContain('\r\nkanji@example.com,山田 太郎,');
    const rows = parseCsv(text);
    expect(rows[0]).toEqual(['email', 'name', 'confirmed_at', 'unsubscribe_url', 'id']);
    expect(rows.slice(1).map((r) => [r[0], r[1]])).toEqual(tricky.map(([e, n]) => [e, n]));
    for (const r of rows.slice(1)) {
      expect(r[2]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(r[3]).toMatch(/^https:\/\/lists\.example\.org\/unsubscribe\?token=u_[\w-]{32}$/);
      expect(r[4]).toMatch(/^sub_[\w-]{16}$/);
    }
  });

  it('exports in confirmation order, not signup order, and the unsubscribe_url works', async () => {
    const t = await testApp(adminEnv);
    await pendingSignup(t, 'late@example.com');
    await confirmed(t, 'first@example.com');
    await t.deliver();
    const token = confirmTokenFor(t.mailer.sent, 'late@example.com');
    await t.app.request('/confirm', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }) });
    const rows = parseCsv(await (await api(t, 'GET', '/v1/lists/newsletter/subscribers?format=csv', ADMIN)).text()).slice(1);
    expect(rows.map((r) => r[0])).toEqual(['first@example.com', 'late@example.com']);
    const url = new URL(rows[0][3]);
    const unsub = await t.app.request(`${url.pathname}${url.search}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
    expect(unsub.status).toBe(200);
    const after = parseCsv(await (await api(t, 'GET', '/v1/lists/newsletter/subscribers', ADMIN)).text()).slice(1);
    expect(after.map((r) => r[0])).toEqual(['late@example.com']);
  });

  it('never exports pending, unsubscribed or suppressed addresses, nor other lists', async () => {
    const t = await testApp(adminEnv);
    await api(t, 'PUT', '/v1/lists/other', ADMIN, { name: 'Other' });
    await confirmed(t, 'keep@example.com');
    await pendingSignup(t, 'waiting@example.com');
    await confirmed(t, 'leaver@example.com');
    await confirmed(t, 'bounced@example.com');
    await confirmed(t, 'elsewhere@example.com', { list: 'other' });
    expect((await api(t, 'POST', '/v1/lists/newsletter/subscribers/leaver@example.com/unsubscribe', ADMIN)).status).toBe(200);
    t.sqlite.sqlite.prepare("UPDATE subscriptions SET state = 'suppressed' WHERE email = 'bounced@example.com'").run();
    const csv = parseCsv(await (await api(t, 'GET', '/v1/lists/newsletter/subscribers', ADMIN)).text());
    expect(csv.slice(1).map((r) => r[0])).toEqual(['keep@example.com']);
    const ndjson = await (await api(t, 'GET', '/v1/lists/newsletter/subscribers?format=ndjson', ADMIN)).text();
    expect(ndjson.trim().split('\n').map((l) => JSON.parse(l).email)).toEqual(['keep@example.com']);
    const json = await (await api(t, 'GET', '/v1/lists/newsletter/subscribers?format=json', ADMIN)).json<Json>();
    expect(json.data.map((r: { email: string }) => r.email)).toEqual(['keep@example.com']);
  });

  it('writes NDJSON: one JSON object per line with the same fields as the CSV', async () => {
    const t = await testApp(adminEnv);
    await confirmTricky(t);
    const res = await api(t, 'GET', '/v1/lists/newsletter/subscribers?format=ndjson', ADMIN);
    expect(res.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8');
    const text = await res.text();
    expect(text.endsWith('\n')).toBe(true);
    const objects = text.slice(0, -1).split('\n').map((l) => JSON.parse(l));
    expect(objects.map((o) => [o.email, o.name ?? ''])).toEqual(tricky.map(([e, n]) => [e, n]));
    expect(Object.keys(objects[0])).toEqual(['email', 'name', 'confirmed_at', 'unsubscribe_url', 'id']);
  });

  it('streams a list larger than one keyset page completely and in order', async () => {
    const t = await testApp(adminEnv);
    const list = t.sqlite.sqlite.prepare("SELECT id FROM lists WHERE slug = 'newsletter'").get() as { id: number };
    const insert = t.sqlite.sqlite.prepare(
      "INSERT INTO subscriptions (list_id, email, key, state, signup_id, unsub_token, created_at, updated_at, confirmed_at, confirm_seq, public_id) VALUES (?, ?, ?, 'confirmed', ?, ?, 0, 0, 0, ?, 'sub_' || ?)",
    );
    t.sqlite.sqlite.transaction(() => {
      for (let i = 1; i <= 12_345; i++) insert.run(list.id, `n${i}@example.com`, `n${i}@example.com`, `s${i}`, `u_${String(i).padStart(32, '0')}`, i, `s${i}`);
    })();
    const text = await (await api(t, 'GET', '/v1/lists/newsletter/subscribers', ADMIN)).text();
    const rows = parseCsv(text).slice(1);
    expect(rows).toHaveLength(12_345);
    expect(rows[0][0]).toBe('n1@example.com');
    expect(rows[12_344][0]).toBe('n12345@example.com');
  });

  it('answers 422 for an unknown format', async () => {
    const t = await testApp(adminEnv);
    expect((await api(t, 'GET', '/v1/lists/newsletter/subscribers?format=xml', ADMIN)).status).toBe(422);
  });
});

describe('GET /v1/lists/{list}/subscribers?format=json', () => {
  it('visits every address confirmed before the walk began exactly once, while others confirm between pages', async () => {
    const t = await testApp(adminEnv);
    const before = Array.from({ length: 23 }, (_, i) => `before${i}@example.com`);
    for (const e of before) await confirmed(t, e);
    const k = await makeKey(t, ['export'], ['newsletter']);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const q: string = cursor ? `&cursor=${cursor}` : '';
      const res = await api(t, 'GET', `/v1/lists/newsletter/subscribers?format=json&limit=5${q}`, k.key);
      expect(res.status).toBe(200);
      const page = (await res.json<Json>()) as { data: Array<{ email: string }>; next_cursor: string | null };
      expect(page.data.length).toBeLessThanOrEqual(5);
      seen.push(...page.data.map((r) => r.email));
      cursor = page.next_cursor;
      // Someone new confirms between every page; after the first page an address already seen
      // leaves, which would make an offset-based walk skip one.
      await confirmed(t, `during${pages}@example.com`);
      if (pages === 0) await api(t, 'POST', `/v1/lists/newsletter/subscribers/${before[0]}/unsubscribe`, ADMIN);
      pages++;
    } while (cursor && pages < 50);
    expect(pages).toBeGreaterThan(4);
    for (const e of before) expect(seen.filter((s) => s === e)).toHaveLength(1);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('caps a limit over 10000 at 10000 rows', async () => {
    const t = await testApp(adminEnv);
    // 10,001 confirmed rows straight into the table (the export reads state and confirm_seq).
    const insert = t.sqlite.sqlite.prepare(
      "INSERT INTO subscriptions (list_id, email, key, state, signup_id, unsub_token, created_at, updated_at, confirmed_at, confirm_seq, public_id) VALUES (1, ?, ?, 'confirmed', ?, ?, 0, 0, 0, ?, 'sub_' || ?)",
    );
    t.sqlite.sqlite.transaction(() => {
      for (let i = 1; i <= 10_001; i++) insert.run(`c${i}@example.com`, `c${i}@example.com`, `s${i}`, `u${i}`, i, `s${i}`);
    })();
    const res = await api(t, 'GET', '/v1/lists/newsletter/subscribers?format=json&limit=20000', ADMIN);
    expect(res.status).toBe(200);
    const page = await res.json<Json>();
    expect(page.data).toHaveLength(10_000);
    expect(page.next_cursor).not.toBeNull();
  });

  it('defaults to 1000 rows, refuses a bad limit and a forged cursor with 422', async () => {
    const t = await testApp(adminEnv);
    await confirmed(t, 'one@example.com');
    const res = await api(t, 'GET', '/v1/lists/newsletter/subscribers?format=json', ADMIN);
    expect(await res.json<Json>()).toMatchObject({ data: [{ email: 'one@example.com', name: null }], next_cursor: null });
    for (const q of ['limit=0', 'limit=abc', 'cursor=not!base64', 'cursor=MTIz']) {
      const bad = await api(t, 'GET', `/v1/lists/newsletter/subscribers?format=json&${q}`, ADMIN);
      expect(bad.status, q).toBe(422);
      expect(bad.headers.get('content-type')).toBe('application/problem+json');
    }
  });
});
