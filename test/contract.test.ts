import { describe, it } from 'vitest';
import { suites, type Harness } from './contract';
import { uniqueIp } from './contract/harness';
import { testApp } from './support/app';

const ADMIN_TOKEN = 'node-admin-token-0123456789';

/** The contract cases on Node: createApp over in-memory SQLite, mail through the recording mailer. */
async function nodeHarness(): Promise<Harness> {
  const t = await testApp({ ADMIN_TOKEN });
  return {
    runtime: 'node',
    db: t.deps.db,
    publicUrl: t.deps.config.PUBLIC_URL,
    adminToken: ADMIN_TOKEN,
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
