import { confirmTokenFor, notMeTokenFor } from './mail';
import { jsonHeaders, formHeaders } from './requests';
import { signup, type TestApp } from './app';

type Row = Record<string, unknown>;

let clients = 0;
/** A fresh client address per call, so per-client rate limits never get in a flow's way. */
export const nextIp = () => `198.51.${(++clients >> 8) & 255}.${clients & 255}`;

/**
 * Signs `email` up as a person would, delivers the mail and answers the tokens a person ends up
 * holding: the mail's confirm and not-me links, and the unsubscribe token an export would carry.
 */
export async function pendingSignup(t: TestApp, email: string, opts: { list?: string; name?: string } = {}) {
  const list = opts.list ?? 'newsletter';
  const res = await signup(t, email, { ...opts, ip: nextIp() });
  if (res.status !== 202) throw new Error(`signup ${email}: ${res.status} ${await res.text()}`);
  await t.deliver();
  const unsub = t.sqlite.sqlite
    .prepare('SELECT s.unsub_token AS t FROM subscriptions s JOIN lists l ON l.id = s.list_id WHERE s.key = ? AND l.slug = ?')
    .get(email.toLowerCase(), list) as { t: string } | undefined;
  return { confirm: confirmTokenFor(t.mailer.sent, email), notMe: notMeTokenFor(t.mailer.sent, email), unsub: unsub?.t ?? '' };
}

/** Signs `email` up and confirms it through the public endpoints: a confirmed subscriber of the list. */
export async function confirmed(t: TestApp, email: string, opts: { list?: string; name?: string } = {}) {
  // Past the per-address mail cooldown, which spans lists, so this signup gets its own mail.
  t.clock.advance(16 * 60_000);
  const mails = t.mailer.sent.length;
  const { confirm } = await pendingSignup(t, email, opts);
  if (t.mailer.sent.length !== mails + 1) throw new Error(`no confirmation mail to ${email}`);
  const done = await t.app.request('/confirm', { method: 'POST', headers: jsonHeaders, body: JSON.stringify({ token: confirm }) }, { clientIp: nextIp() });
  if (done.status !== 200) throw new Error(`confirm ${email}: ${done.status}`);
}

/** The subscription row of `key` (the address as stored, lower-cased) on `list`. */
export function subscriptionRow(t: TestApp, key: string, list = 'newsletter'): Row {
  return t.sqlite.sqlite
    .prepare('SELECT s.* FROM subscriptions s JOIN lists l ON l.id = s.list_id WHERE s.key = ? AND l.slug = ?')
    .get(key, list) as Row;
}

/** Rows of `table` (and optionally a WHERE clause): "nothing stored" is a count of zero. */
export function count(t: TestApp, table: string, where = '1'): number {
  return (t.sqlite.sqlite.prepare(`SELECT count(*) AS n FROM ${table} WHERE ${where}`).get() as { n: number }).n;
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

/** POST /confirm with the token as a JSON field. */
export function confirmJson(t: TestApp, token: unknown) {
  return t.app.request('/confirm', { method: 'POST', headers: jsonHeaders, body: JSON.stringify({ token }) });
}

/** POST /confirm as a browser form would. */
export function confirmForm(t: TestApp, token: string) {
  return t.app.request('/confirm', { method: 'POST', headers: { ...formHeaders, accept: 'text/html' }, body: new URLSearchParams({ token }).toString() });
}
