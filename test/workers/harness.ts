import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { drizzle } from 'drizzle-orm/d1';
import type { Db } from '../../src/deps';
import * as schema from '../../src/db/schema';
import worker, { type Bindings } from '../../src/worker';
import type { Harness } from '../contract';
import { uniqueIp } from '../contract/harness';
import { resend, sentSince } from './resend';

export const PUBLIC_URL = 'http://localhost:8787';
export const bindings = env as unknown as Bindings;
export const testDb = () => drizzle(env.DB, { schema }) as unknown as Db;

/**
 * The contract cases in workerd: the worker's own fetch (same module the runtime would call),
 * a local D1 with the migrations applied, each request's waitUntil awaited before mails are read.
 */
/** Every request's waitUntil work; any drain may send any queued mail, so all are awaited. */
const pending: Promise<void>[] = [];
export const settle = async () => void (await Promise.all(pending.splice(0)));

export function workerHarness(): Harness {
  const first = resend.sent.length;
  return {
    runtime: 'workerd',
    db: testDb(),
    publicUrl: PUBLIC_URL,
    adminToken: env.ADMIN_TOKEN,
    resendWebhookSecret: env.RESEND_WEBHOOK_SECRET,
    now: () => Date.now(),
    async request(path, { ip, ...init } = {}) {
      const ctx = createExecutionContext();
      const headers = new Headers(init.headers);
      headers.set('cf-connecting-ip', ip ?? uniqueIp());
      const res = await worker.fetch(new Request(`${PUBLIC_URL}${path}`, { ...init, headers }), bindings, ctx);
      pending.push(waitOnExecutionContext(ctx));
      return res;
    },
    async mails() {
      await settle();
      return sentSince(first);
    },
  };
}
