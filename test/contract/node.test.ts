import { describe, it } from 'vitest';
import { suites, type Harness } from '.';
import { uniqueIp } from './harness';
import { testApp } from '../support/app';

const ADMIN_TOKEN = 'node-admin-token-0123456789';
const RESEND_WEBHOOK_SECRET = 'whsec_bm9kZS13ZWJob29rLXNlY3JldC0xMjM0NTY3ODkw';

/** The contract cases on Node: createApp over in-memory SQLite, mail through the recording mailer. */
async function nodeHarness(): Promise<Harness> {
  const t = await testApp({ ADMIN_TOKEN, RESEND_WEBHOOK_SECRET });
  return {
    runtime: 'node',
    db: t.deps.db,
    publicUrl: t.deps.config.PUBLIC_URL,
    adminToken: ADMIN_TOKEN,
    resendWebhookSecret: RESEND_WEBHOOK_SECRET,
    now: () => t.clock.now(),
    request: async (path, { ip, ...init } = {}) => t.app.request(path, init, { clientIp: ip ?? uniqueIp() }),
    mails: async () => {
      await t.deliver();
      return [...t.mailer.sent];
    },
  };
}

for (const suite of suites) {
  describe(`contract on Node: ${suite.name}`, () => {
    for (const c of suite.cases) it(c.name, async () => c.run(await nodeHarness()));
  });
}
