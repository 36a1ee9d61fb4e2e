import { confirmTokenFor, signup, type TestApp } from './app';

export const ADMIN = 'admin-token-for-tests-0123456789';
export const adminEnv = { ADMIN_TOKEN: ADMIN, PUBLIC_URL: 'https://lists.example.org' };

let ipCounter = 0;
/** A fresh client address per signup, so rate limits never get in a test's way. */
const nextIp = () => `198.51.${(++ipCounter >> 8) & 255}.${ipCounter & 255}`;

/** Signs `email` up and confirms it through the public endpoints, as a person would. */
export async function confirmed(t: TestApp, email: string, opts: { list?: string; name?: string } = {}) {
  // Past the per-address mail cooldown, so a second list's signup gets its own mail.
  t.clock.advance(16 * 60_000);
  const mails = t.mailer.sent.length;
  const res = await signup(t, email, { ...opts, ip: nextIp() });
  if (res.status !== 202) throw new Error(`signup ${email}: ${res.status} ${await res.text()}`);
  await t.deliver();
  if (t.mailer.sent.length !== mails + 1) throw new Error(`no confirmation mail to ${email}`);
  const token = confirmTokenFor(t.mailer, email);
  const done = await t.app.request('/confirm', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }) }, { clientIp: nextIp() });
  if (done.status !== 200) throw new Error(`confirm ${email}: ${done.status}`);
}

export async function pending(t: TestApp, email: string, opts: { list?: string; name?: string } = {}) {
  const res = await signup(t, email, { ...opts, ip: nextIp() });
  if (res.status !== 202) throw new Error(`signup ${email}: ${res.status}`);
  await t.deliver();
}

/** A request with a bearer key (JSON body when given). */
export function api(t: TestApp, method: string, path: string, key: string | null, body?: unknown) {
  const headers: Record<string, string> = {};
  if (key) headers.authorization = `Bearer ${key}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  return t.app.request(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

/** Creates a key with ADMIN_TOKEN and answers its secret and id. */
export async function makeKey(t: TestApp, scopes: string[], lists?: string[]) {
  const res = await api(t, 'POST', '/v1/keys', ADMIN, { scopes, ...(lists ? { lists } : {}) });
  if (res.status !== 201) throw new Error(`key: ${res.status} ${await res.text()}`);
  return (await res.json()) as { id: string; key: string; prefix: string };
}

export async function makeList(t: TestApp, slug: string, body: Record<string, unknown> = { name: slug }) {
  const res = await api(t, 'PUT', `/v1/lists/${slug}`, ADMIN, body);
  if (res.status !== 201) throw new Error(`list: ${res.status} ${await res.text()}`);
}

/** A small RFC 4180 reader: quoted fields may hold commas, doubled quotes and line breaks. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') row.push(field), (field = '');
    else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field), rows.push(row), (row = []), (field = ''), i++;
    } else if (ch === '\n') throw new Error(`bare LF outside quotes at ${i}`);
    else field += ch;
  }
  if (field !== '' || row.length) throw new Error('last record lacks CRLF');
  return rows;
}

/** Answers in tests are read loosely; the assertions say what shape they must have. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;
