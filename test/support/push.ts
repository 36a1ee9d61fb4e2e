import { eq } from 'drizzle-orm';
import { pushDeliveries } from '../../src/db/schema';
import type { Resolver } from '../../src/domain/webhook-target';
import { targetPolicy } from '../../src/domain/webhook-target';
import { pushDue } from '../../src/push/dispatch';
import { nodeWebhookTransport } from '../../src/push/http-node';
import { webhookSender } from '../../src/push/webhook';
import type { TestApp } from './app';
import { ADMIN, api, type Json } from './operator';

/** Creates a webhook through the API (the admin token unless a key is given); throws unless 201. */
export async function makeWebhook(t: TestApp, body: Record<string, unknown>, key: string = ADMIN): Promise<Json> {
  const res = await api(t, 'POST', '/v1/webhooks', key, body);
  if (res.status !== 201) throw new Error(`webhook: ${res.status} ${await res.text()}`);
  return res.json();
}

/** Nothing resolves: tests use IP literals unless they inject names. */
export const noNames: Resolver = async (host) => {
  throw Object.assign(new Error(`test resolver: no ${host}`), { code: 'ENOTFOUND' });
};

/**
 * The Node push machinery over the test app, as the push loop runs it: `run()` turns new feed
 * events into deliveries and sends what is due through the real undici transport (to 127.0.0.1
 * only: names go through `resolve`).
 */
export function pusher(t: TestApp, opts: { resolve?: Resolver; timeoutMs?: number } = {}) {
  const config = { ...t.deps.config, WEBHOOK_TIMEOUT_MS: opts.timeoutMs ?? t.deps.config.WEBHOOK_TIMEOUT_MS };
  const transport = nodeWebhookTransport({ resolve: opts.resolve ?? noNames, policy: targetPolicy(config), timeoutMs: config.WEBHOOK_TIMEOUT_MS });
  const send = webhookSender(transport);
  const ports = { ...t.deps, config };
  return {
    run: () => pushDue(ports, { webhook: send }, 100),
    /** Every waiting delivery becomes due now (its backoff has passed). */
    dueNow: () => t.deps.db.update(pushDeliveries).set({ nextAttemptAt: t.clock.now() }).where(eq(pushDeliveries.state, 'queued')),
  };
}
