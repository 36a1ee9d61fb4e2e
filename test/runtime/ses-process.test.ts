import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startSesImitation } from '../support/fakes/ses/node';
import { SES_TEST_CREDENTIALS } from '../support/fakes/ses/types';
import { scratch } from '../support/scratch';
import { startListening } from '../support/server-process';
import { until } from '../support/until';

const { dir, track } = scratch('listgate-ses');
const ses = await startSesImitation();
afterAll(() => ses.close());

const signUp = (port: number, email: string) =>
  fetch(`http://127.0.0.1:${port}/lists/newsletter/subscribe`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email }) });

describe('the Node server with MAIL_TRANSPORT=ses (a real process)', () => {
  it('mails a confirmation through SES; killed after SES took a mail but before its answer, it sends that mail again (at least once)', async () => {
    const env = {
      DATABASE_PATH: join(dir(), 'listgate.db'),
      NODE_ENV: 'production',
      TOKEN_SECRET: 'ses-process-secret-ses-process-secret',
      MAIL_TRANSPORT: 'ses',
      AWS_REGION: ses.region,
      AWS_ACCESS_KEY_ID: SES_TEST_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: SES_TEST_CREDENTIALS.secretAccessKey,
      SES_ENDPOINT: ses.endpoint,
      SES_CONFIGURATION_SET: 'listgate-events',
      MAIL_FROM: 'News <news@example.com>',
      LOG_LEVEL: 'warn',
    };
    const first = track(await startListening(env));
    expect((await signUp(first.port, 'ada@example.com')).status).toBe(202);
    await until(() => ses.mailsTo('ada@example.com').length === 1, 'the first confirmation');
    expect(ses.sent[0]).toMatchObject({ configurationSet: 'listgate-events', tags: { list: 'newsletter' }, from: 'News <news@example.com>' });

    const release = ses.hold();
    expect((await signUp(first.port, 'bob@example.com')).status).toBe(202);
    await until(() => ses.mailsTo('bob@example.com').length === 1, 'SES to take the second mail');
    await first.kill('SIGKILL');
    release();

    // SES takes no idempotency key: the batch left in doubt goes again and Bob gets a second copy.
    const second = track(await startListening(env));
    await until(() => ses.mailsTo('bob@example.com').length === 2, 'the resend after the restart');
    await second.kill('SIGTERM');
    expect(ses.mailsTo('ada@example.com')).toHaveLength(1);
    expect(ses.mailsTo('bob@example.com')).toHaveLength(2);
    expect(ses.requests.every((r) => r.accessKeyId === SES_TEST_CREDENTIALS.accessKeyId)).toBe(true);
  }, 120_000);
});
