import { afterEach, describe, it } from 'vitest';
import { sesMailer } from '../../../src/mail/ses';
import { type SesImitation, startSesImitation } from '../../support/fakes/ses/node';
import { SES_TEST_CREDENTIALS, type SesFakeOptions } from '../../support/fakes/ses/types';
import { cases, poster } from './cases';

const open: SesImitation[] = [];
async function start(opts?: SesFakeOptions) {
  const fake = await startSesImitation(opts);
  open.push(fake);
  return {
    fake,
    mailer: (o = {}) => sesMailer({ ...SES_TEST_CREDENTIALS, region: fake.region, endpoint: fake.endpoint, timeoutMs: 10_000, ...o }),
    post: poster(fake.endpoint, fake.region, (r) => fetch(r)),
  };
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((f) => f.close()));
});

describe('the SES mailer against the SES imitation over HTTP (Node)', () => {
  for (const c of cases) it(c.name, () => c.run(start));
});
