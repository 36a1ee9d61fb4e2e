import { describe, expect, it } from 'vitest';
import { signup, testApp, type TestApp } from '../../support/app';
import { confirmed } from '../../support/flow';
import { ADMIN, adminEnv, api, parseCsv, type Json } from '../../support/operator';

const row = (t: TestApp, email: string) =>
  t.sqlite.sqlite.prepare('SELECT name, signup_ip, signup_user_agent, signup_source, state FROM subscriptions WHERE email = ?').get(email) as Json;

const post = (t: TestApp, body: object, ip: string, headers: Record<string, string> = {}) =>
  t.app.request('/lists/newsletter/subscribe', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) }, { clientIp: ip });

describe('a pending signup keeps the name and evidence of its first signup', () => {
  it('ignores the name, address, user agent and source of a repeat signup by someone else', async () => {
    const t = await testApp(adminEnv);
    await post(t, { email: 'owner@example.com', name: 'Olive Owner', source: 'https://site.example/a' }, '198.51.100.1', { 'user-agent': 'Owner Browser' });
    t.clock.advance(20 * 60_000);
    const repeat = await post(t, { email: 'owner@example.com', name: 'Mallory', source: 'https://evil.example/' }, '203.0.113.66', { 'user-agent': 'Evil' });
    expect(repeat.status).toBe(202);
    expect(row(t, 'owner@example.com')).toEqual({
      name: 'Olive Owner',
      signup_ip: '198.51.100.1',
      signup_user_agent: 'Owner Browser',
      signup_source: 'https://site.example/a',
      state: 'pending',
    });
    // The repeat may resend the mail (within the cap): both mails confirm the same signup.
    await t.deliver();
    expect(t.mailer.sent).toHaveLength(2);
  });

  it('records new evidence when an unsubscribed address signs up again (a new signup)', async () => {
    const t = await testApp(adminEnv);
    await confirmed(t, 'back@example.com', { name: 'First' });
    const unsub = t.sqlite.sqlite.prepare("SELECT unsub_token FROM subscriptions WHERE email = 'back@example.com'").get() as Json;
    await t.app.request(`/unsubscribe?token=${unsub.unsub_token}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
    await post(t, { email: 'back@example.com', name: 'Second' }, '198.51.100.99');
    expect(row(t, 'back@example.com')).toMatchObject({ name: 'Second', signup_ip: '198.51.100.99', state: 'pending' });
  });
});

describe('no export cell can be read as a spreadsheet formula', () => {
  it.each([
    ['=HYPERLINK("https://evil.example","click")', 'name'],
    ['+SUM(1,2)', 'name'],
    ['-2+3', 'name'],
    ['@cmd', 'name'],
    ['Bob\u0085Bcc', 'name'],
    ['Bob \u202Egnp.exe', 'name'],
    ['Zero\u200Bwidth', 'name'],
    ['Line\u2028break', 'name'],
  ])('refuses the name %j with 422 and stores nothing', async (name, field) => {
    const t = await testApp(adminEnv);
    const res = await post(t, { email: 'cell@example.com', name }, '198.51.100.5');
    expect(res.status).toBe(422);
    expect(((await res.json()) as Json).errors.map((e: Json) => e.field)).toEqual([field]);
    expect(row(t, 'cell@example.com')).toBeUndefined();
  });

  it.each(['-2+3@example.com', '+1@example.com', '=x@example.com'])('refuses the address %s with 422', async (email) => {
    const t = await testApp(adminEnv);
    const res = await post(t, { email }, '198.51.100.6');
    expect(res.status).toBe(422);
    expect(((await res.json()) as Json).errors[0].field).toBe('email');
    expect(row(t, email)).toBeUndefined();
  });

  it('exports values stored before the rule with a leading quote in CSV, as they are in NDJSON', async () => {
    const t = await testApp(adminEnv);
    await confirmed(t, 'old@example.com', { name: 'Old' });
    t.sqlite.sqlite.prepare("UPDATE subscriptions SET name = '=HYPERLINK(\"x\")', email = '-1+2@example.com' WHERE email = 'old@example.com'").run();
    const csv = parseCsv(await (await api(t, 'GET', '/v1/lists/newsletter/subscribers', ADMIN)).text());
    expect(csv[1].slice(0, 2)).toEqual(["'-1+2@example.com", '\'=HYPERLINK("x")']);
    const nd = JSON.parse((await (await api(t, 'GET', '/v1/lists/newsletter/subscribers?format=ndjson', ADMIN)).text()).trim());
    expect(nd).toMatchObject({ email: '-1+2@example.com', name: '=HYPERLINK("x")' });
  });
});

describe('signup still answers the same for every state', () => {
  it('answers 202 with the same body for a repeat of a pending address', async () => {
    const t = await testApp(adminEnv);
    const a = await signup(t, 'same@example.com', { ip: '198.51.100.10' });
    const b = await signup(t, 'same@example.com', { ip: '198.51.100.11', name: 'Other' });
    expect([a.status, b.status]).toEqual([202, 202]);
    expect(await a.text()).toBe(await b.text());
  });
});
