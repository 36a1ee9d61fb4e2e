import { eq } from 'drizzle-orm';
import type { Db } from '../../src/deps';
import type { OutboxMessage } from '../../src/db/schema';
import { subscriptions } from '../../src/db/schema';
import { confirmTokenFor } from '../support/mail';
import { bearer, jsonPost } from '../support/requests';

/**
 * What a contract case needs from a runtime. Implemented by test/contract/node.test.ts (Node:
 * app.request over in-memory SQLite) and test/contract/workerd.test.ts (workerd: the worker's
 * fetch over a local D1), so one set of cases proves both runtimes answer the same.
 */
export interface Harness {
  readonly runtime: 'node' | 'workerd';
  /** Sends a request as a client at `ip` would (Node: socket address, Workers: CF-Connecting-IP). */
  request(path: string, init?: RequestInit & { ip?: string }): Promise<Response>;
  /** Lets background work of earlier requests finish and answers every mail sent since the harness began. */
  mails(): Promise<OutboxMessage[]>;
  /** The same database the service uses (better-sqlite3 or D1), for what only an export would reveal. */
  readonly db: Db;
  readonly publicUrl: string;
  readonly adminToken: string;
  /** RESEND_WEBHOOK_SECRET of the service under test. */
  readonly resendWebhookSecret: string;
  /** The service's clock (webhook timestamps must be within 5 minutes of it). */
  now(): number;
}

/** One behaviour from the contract, runnable on any harness. */
export type ContractCase = { name: string; run(h: Harness): Promise<void> };

let n = 0;
const run = Math.random().toString(36).slice(2, 8);
/** An address no other case uses (cases share one database within a workerd test file). */
export const uniqueEmail = (tag = 'person') => `${tag}-${run}-${++n}@example.com`;
/** A client address no other case uses, so per-client rate limits never leak between cases. */
export const uniqueIp = () => `198.51.${Math.floor(Math.random() * 250)}.${(++n % 250) + 1}`;

export function signupJson(h: Harness, email: string, opts: { list?: string; name?: string; ip?: string } = {}) {
  return h.request(`/lists/${opts.list ?? 'newsletter'}/subscribe`, { ...jsonPost({ email, ...(opts.name ? { name: opts.name } : {}) }), ip: opts.ip ?? uniqueIp() });
}

/** The opaque unsubscribe token the export would carry for `email` on the default list. */
export async function unsubTokenFor(h: Harness, email: string): Promise<string> {
  const row = await h.db.select({ t: subscriptions.unsubToken }).from(subscriptions).where(eq(subscriptions.email, email)).get();
  if (!row) throw new Error(`no subscription for ${email}`);
  return row.t;
}

/** Signs up and confirms `email`; answers nothing, throws if a step did not answer as the contract says. */
export async function subscribeConfirmed(h: Harness, email: string, list = 'newsletter'): Promise<void> {
  const res = await signupJson(h, email, { list });
  if (res.status !== 202) throw new Error(`signup answered ${res.status}`);
  const token = confirmTokenFor(await h.mails(), email);
  const ok = await h.request('/confirm', { ...jsonPost({ token }), ip: uniqueIp() });
  if (ok.status !== 200) throw new Error(`confirm answered ${ok.status}`);
}

/** Calls an operator or mailer endpoint with a bearer key (the admin token unless given). */
export function api(h: Harness, method: string, path: string, body?: unknown, key = h.adminToken) {
  return h.request(path, bearer(method, key, body));
}

/** Creates a list of its own for a case (cases share one database on workerd). */
export async function freshList(h: Harness): Promise<string> {
  const slug = `l-${Math.random().toString(36).slice(2, 10)}`;
  const res = await api(h, 'PUT', `/v1/lists/${slug}`, { name: `List ${slug}` });
  if (res.status !== 201) throw new Error(`PUT list answered ${res.status}`);
  return slug;
}
