import { putList } from '../../src/db/queries/lists';
import type { ListSettings } from '../../src/db/types';
import { confirmTokenFor, signup, type TestApp } from './app';

/** Creates (or replaces) a list with the given settings. */
export async function makeList(t: TestApp, slug: string, settings: Partial<ListSettings> = {}) {
  return (await putList(t.deps.db, slug, { name: slug, ...settings }, t.clock.now())).list;
}

/** Rows of `table` (and optionally a WHERE clause): "nothing stored" is a count of zero. */
export function count(t: TestApp, table: string, where = '1'): number {
  return (t.sqlite.sqlite.prepare(`SELECT count(*) AS n FROM ${table} WHERE ${where}`).get() as { n: number }).n;
}

/** A request from a client address, as the Workers entry passes CF-Connecting-IP. */
export function from(t: TestApp, ip: string, path: string, init: RequestInit = {}) {
  return t.app.request(path, init, { clientIp: ip });
}

export const json = (body: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});
export const form = (fields: Record<string, string>, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
  body: new URLSearchParams(fields).toString(),
});
export function multipart(fields: Record<string, string>, headers: Record<string, string> = {}): RequestInit {
  const body = new FormData();
  for (const [k, v] of Object.entries(fields)) body.append(k, v);
  return { method: 'POST', body, headers };
}

/** Signs up, delivers, and answers the mail's confirm token, the not-me token and the unsubscribe token. */
let nextHost = 1;
export async function pendingSignup(t: TestApp, email: string, list = 'newsletter') {
  await signup(t, email, { list, ip: `198.51.100.${(nextHost++ % 250) + 1}` });
  await t.deliver();
  const mail = [...t.mailer.sent].reverse().find((m) => m.to.toLowerCase() === email.toLowerCase())!;
  const notMe = mail.text.match(/\/not-me\?token=([\w.-]+)/)![1];
  const unsub = (t.sqlite.sqlite.prepare('SELECT unsub_token FROM subscriptions WHERE key = ?').get(email.toLowerCase()) as { unsub_token: string }).unsub_token;
  return { confirm: confirmTokenFor(t.mailer, email), notMe, unsub };
}
