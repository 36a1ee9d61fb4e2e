import { describe, it } from 'vitest';
import { sesMailer } from '../../../src/mail/ses';
import { createSesFake } from '../../support/fakes/ses/core';
import { SES_TEST_CREDENTIALS, type SesFakeOptions } from '../../support/fakes/ses/types';
import { cases, poster } from './cases';

// The same cases as node.test.ts, inside workerd: aws4fetch signs with workerd's Web Crypto and the
// imitation (aws4 on nodejs_compat) answers as the mailer's fetch.
async function start(opts?: SesFakeOptions) {
  const fake = createSesFake(opts);
  const endpoint = 'https://email.ses-imitation.test';
  return {
    fake,
    mailer: (o = {}) => sesMailer({ ...SES_TEST_CREDENTIALS, region: fake.region, endpoint, timeoutMs: 10_000, fetch: fake.fetch, ...o }),
    post: poster(endpoint, fake.region, fake.fetch),
  };
}

describe('the SES mailer against the SES imitation as fetch (workerd)', () => {
  for (const c of cases) it(c.name, () => c.run(start));
});
