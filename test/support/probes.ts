import { expect } from 'vitest';
import type { TestApp } from './app';
import { formPost, jsonPost, multipartPost } from './requests';

// Limits raised: these tests are about inputs, the limits have their own file.
export const env = { RATE_LIMIT_SIGNUP_BURST: '100000', RATE_LIMIT_LIST_PER_MINUTE: '100000', RATE_LIMIT_ACTION_PER_MINUTE: '100000' };
export const IP = { clientIp: '203.0.113.200' };

export type Probe = { endpoint: string; send: (t: TestApp, v: string, n: number) => Response | Promise<Response> };

/** Browser posts here say they want the page, scripts that they want JSON. */
const htmlForm = (fields: Record<string, string>) => formPost(fields, { accept: 'text/html' });
const jsonMultipart = (fields: Record<string, string>) => multipartPost(fields, { accept: 'application/json' });

/** Percent-encodes; a lone surrogate (not encodable) is sent as the invalid UTF-8 it would be. */
function q(v: string): string {
  try {
    return encodeURIComponent(v);
  } catch {
    return `${encodeURIComponent(v.replace(/[\uD800-\uDFFF]/g, ''))}%ED%A0%80`;
  }
}
export const sub = '/lists/newsletter/subscribe';
/** A fresh valid address per probe, so what a probe stored can be told apart. */
const fresh = (n: number) => `probe${n}@example.com`;

/** Every public endpoint, with the hostile value in each field it reads. */
export const probes: Probe[] = [
  { endpoint: 'subscribe JSON email', send: (t, v) => t.app.request(sub, jsonPost({ email: v }), IP) },
  { endpoint: 'subscribe JSON name', send: (t, v, n) => t.app.request(sub, jsonPost({ email: fresh(n), name: v }), IP) },
  { endpoint: 'subscribe JSON source', send: (t, v, n) => t.app.request(sub, jsonPost({ email: fresh(n), source: v }), IP) },
  { endpoint: 'subscribe JSON captcha field', send: (t, v, n) => t.app.request(sub, jsonPost({ email: fresh(n), 'cf-turnstile-response': v }), IP) },
  { endpoint: 'subscribe form email', send: (t, v) => t.app.request(sub, htmlForm({ email: v }), IP) },
  { endpoint: 'subscribe form name', send: (t, v, n) => t.app.request(sub, htmlForm({ email: fresh(n), name: v }), IP) },
  { endpoint: 'subscribe multipart email', send: (t, v) => t.app.request(sub, jsonMultipart({ email: v }), IP) },
  { endpoint: 'subscribe multipart name', send: (t, v, n) => t.app.request(sub, jsonMultipart({ email: fresh(n), name: v }), IP) },
  { endpoint: 'subscribe with hostile referer', send: (t, v, n) => t.app.request(sub, { ...jsonPost({ email: fresh(n) }), headers: { 'content-type': 'application/json', referer: `https://x.example/${q(v)}` } }, IP) },
  { endpoint: 'GET /lists/{list}', send: (t, v) => t.app.request(`/lists/${q(v)}`, {}, IP) },
  { endpoint: 'POST /lists/{list}/subscribe', send: (t, v) => t.app.request(`/lists/${q(v)}/subscribe`, jsonPost({ email: 'a@example.com' }), IP) },
  { endpoint: 'GET /confirm', send: (t, v) => t.app.request(`/confirm?token=${q(v)}`, {}, IP) },
  { endpoint: 'POST /confirm JSON', send: (t, v) => t.app.request('/confirm', jsonPost({ token: v }), IP) },
  { endpoint: 'POST /confirm form', send: (t, v) => t.app.request('/confirm', htmlForm({ token: v }), IP) },
  { endpoint: 'GET /unsubscribe', send: (t, v) => t.app.request(`/unsubscribe?token=${q(v)}`, {}, IP) },
  { endpoint: 'POST /unsubscribe one-click', send: (t, v) => t.app.request(`/unsubscribe?token=${q(v)}`, htmlForm({ 'List-Unsubscribe': 'One-Click' }), IP) },
  { endpoint: 'POST /unsubscribe form', send: (t, v) => t.app.request('/unsubscribe', htmlForm({ token: v }), IP) },
  { endpoint: 'GET /not-me', send: (t, v) => t.app.request(`/not-me?token=${q(v)}`, {}, IP) },
  { endpoint: 'POST /not-me JSON', send: (t, v) => t.app.request('/not-me', jsonPost({ token: v }), IP) },
  { endpoint: 'POST /not-me multipart', send: (t, v) => t.app.request('/not-me', jsonMultipart({ token: v }), IP) },
];

/** Sends one request and checks the invariants that hold for every hostile input. */
export async function expectHeld(t: TestApp, label: string, send: () => Response | Promise<Response>) {
  const writesBefore = t.sqlite.sqlite.prepare('SELECT total_changes() AS n').get() as { n: number };
  const res = await send();
  const body = await res.text();
  expect(res.status, `${label}: ${body.slice(0, 200)}`).toBeLessThan(500);
  if (res.status >= 400) {
    const writesAfter = t.sqlite.sqlite.prepare('SELECT total_changes() AS n').get() as { n: number };
    expect(writesAfter.n, `${label}: a rejected request wrote to the database`).toBe(writesBefore.n);
    if ((res.headers.get('content-type') ?? '').includes('json')) {
      // Problems name what was wrong, never echo a stack or an internal message.
      expect(body, label).not.toMatch(/at .*\.(?:ts|js):\d+|SqliteError|TypeError|SyntaxError/);
    }
  }
  return res;
}

/** After delivery: every mail went to one plain address we sent a valid signup for, with clean headers and only our links. */
export async function expectCleanMail(t: TestApp, opts: { someSent?: boolean } = {}) {
  await t.deliver();
  // The probes with a fresh valid address and a harmless field do get mail: the checks below bite.
  if (opts.someSent) expect(t.mailer.sent.length).toBeGreaterThan(0);
  for (const m of t.mailer.sent) {
    for (const header of [m.to, m.from, m.subject]) expect(header).not.toMatch(/[\r\n\u0000\u2028\u2029\u0085]/);
    expect(m.to).not.toMatch(/attacker|[,;<>\s]/);
    expect(m.to.split('@')).toHaveLength(2);
    for (const [, href] of m.html.matchAll(/href="([^"]*)"/g)) expect(href).toMatch(/^http:\/\/localhost:3000\/(?:confirm|not-me)\?token=[\w.-]+$/);
    expect(m.html).not.toMatch(/<(?:script|img|iframe)/i);
    expect(`${m.html}\n${m.text}`).not.toMatch(/attacker\.example|www\.|https:\/\/(?!localhost)/);
  }
  expect(t.mailer.sent.filter((m) => /attacker/.test(m.to))).toEqual([]);
}

/** No request may have polluted a prototype. */
export function expectNoPollution() {
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(Object.keys(Object.prototype)).toEqual([]);
}
