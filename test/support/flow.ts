import { confirmTokenFor, signup, type TestApp } from './app';

type Row = Record<string, unknown>;

/** Signs `email` up, delivers the mail and answers the confirmation token it carries. */
export async function pendingSignup(t: TestApp, email: string, opts: { list?: string } = {}): Promise<string> {
  const res = await signup(t, email, opts);
  if (res.status !== 202) throw new Error(`signup answered ${res.status}`);
  await t.deliver();
  return confirmTokenFor(t.mailer, email);
}

/** The subscription row of `key` (the address as stored, lower-cased) on `list`. */
export function subscriptionRow(t: TestApp, key: string, list = 'newsletter'): Row {
  return t.sqlite.sqlite
    .prepare('SELECT s.* FROM subscriptions s JOIN lists l ON l.id = s.list_id WHERE s.key = ? AND l.slug = ?')
    .get(key, list) as Row;
}

/** Everything a state change would touch, to compare before and after a request. */
export function snapshot(t: TestApp): string {
  const all = (table: string) => t.sqlite.sqlite.prepare(`SELECT * FROM ${table} ORDER BY rowid`).all();
  return JSON.stringify({
    subscriptions: all('subscriptions'),
    changes: all('changes'),
    lists: all('lists'),
    addresses: all('addresses'),
    outbox: all('outbox'),
    suppressions: all('suppressions'),
  });
}

export const json = { 'content-type': 'application/json', accept: 'application/json' };
export const formHeaders = { 'content-type': 'application/x-www-form-urlencoded' };

/** POST /confirm with the token as a JSON field. */
export function confirmJson(t: TestApp, token: unknown) {
  return t.app.request('/confirm', { method: 'POST', headers: json, body: JSON.stringify({ token }) });
}

/** POST /confirm as a browser form would. */
export function confirmForm(t: TestApp, token: string) {
  return t.app.request('/confirm', { method: 'POST', headers: { ...formHeaders, accept: 'text/html' }, body: new URLSearchParams({ token }).toString() });
}
