import { AwsClient } from 'aws4fetch';
import { expect } from 'vitest';
import type { OutboxMessage } from '../../../src/db/schema';
import { type SesMailerOptions, sesMailer } from '../../../src/mail/ses';
import type { SesFake } from '../../support/fakes/ses/core';
import { SES_TEST_CREDENTIALS, type SesFakeOptions } from '../../support/fakes/ses/types';

/**
 * The SES mailer (aws4fetch signing, SES v2 SendEmail) against the SES imitation, which checks every
 * signature with the aws4 package. Runtime-neutral: node.test.ts reaches the imitation over HTTP on
 * 127.0.0.1, workerd.test.ts through its fetch function inside workerd.
 */
export type SesWorld = {
  fake: SesFake;
  /** The mailer pointed at the imitation; `opts` may change the credentials or the configuration set. */
  mailer(opts?: Partial<SesMailerOptions>): ReturnType<typeof sesMailer>;
  /** A signed request of our own making, to probe the imitation's checks. */
  post(body: string, sign?: { secretAccessKey?: string; region?: string; tamper?: (r: Request) => Promise<Request> }): Promise<Response>;
};
export type SesCase = { name: string; run(start: (opts?: SesFakeOptions) => Promise<SesWorld>): Promise<void> };

const mail = (to: string, extra: Partial<OutboxMessage> = {}): OutboxMessage => ({
  from: 'Listgate News <news@example.com>',
  to,
  subject: 'Please confirm',
  html: `<p>Confirm <a href="https://listgate.test/confirm?token=t">here</a></p>`,
  text: 'Confirm: https://listgate.test/confirm?token=t',
  ...extra,
});
const key = { idempotencyKey: 'unused-by-ses' };
const body = JSON.stringify({ FromEmailAddress: 'news@example.com', Destination: { ToAddresses: ['a@example.com'] }, Content: { Simple: { Subject: { Data: 's' }, Body: { Text: { Data: 't' } } } } });

export const cases: SesCase[] = [
  {
    name: 'sends one mail per SendEmail, signed with SigV4 (verified by aws4), with its headers, configuration set and list tag',
    async run(start) {
      const w = await start();
      const out = await w.mailer({ configurationSet: 'listgate-events' }).send(
        [mail('ada@example.com', { replyTo: 'help@example.com', headers: { 'List-Unsubscribe': '<https://listgate.test/unsubscribe?token=u>', 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' }, list: 'newsletter' })],
        key,
      );
      expect(out).toEqual({ ok: true, results: [{ id: w.fake.sent[0].messageId }] });
      expect(w.fake.requests).toMatchObject([{ method: 'POST', path: '/v2/email/outbound-emails', status: 200, outcome: 'accepted', accessKeyId: SES_TEST_CREDENTIALS.accessKeyId }]);
      expect(w.fake.sent[0]).toMatchObject({
        from: 'Listgate News <news@example.com>',
        to: ['ada@example.com'],
        replyTo: ['help@example.com'],
        subject: 'Please confirm',
        text: 'Confirm: https://listgate.test/confirm?token=t',
        content: 'Simple',
        headers: { 'List-Unsubscribe': '<https://listgate.test/unsubscribe?token=u>', 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
        configurationSet: 'listgate-events',
        tags: { list: 'newsletter' },
      });
      expect((w.fake.requests[0].body as { Content: { Simple: { Subject: { Charset: string } } } }).Content.Simple.Subject.Charset).toBe('UTF-8');
    },
  },
  {
    name: 'the imitation refuses what SES refuses: a changed body, a wrong secret, another region, no signature',
    async run(start) {
      const w = await start();
      expect((await w.post(body)).status).toBe(200);
      const tampered = await w.post(body, { tamper: async (r) => new Request(r, { body: body.replace('a@example.com', 'b@example.com') }) });
      expect(tampered.status).toBe(403);
      expect(tampered.headers.get('x-amzn-errortype')).toMatch(/^InvalidSignatureException:/);
      expect((await w.post(body, { secretAccessKey: 'not-the-secret' })).status).toBe(403);
      const region = await w.post(body, { region: 'eu-west-1' });
      expect(await region.json()).toMatchObject({ message: expect.stringContaining('region') });
      const unsigned = await w.post(body, { tamper: async (r) => new Request(r.url, { method: 'POST', body }) });
      expect(unsigned.headers.get('x-amzn-errortype')).toMatch(/^MissingAuthenticationTokenException:/);
      expect(w.fake.sent).toHaveLength(1);
    },
  },
  {
    name: 'non-ASCII subject and display name go as UTF-8 and encoded words; headers Simple cannot carry go as Raw, intact',
    async run(start) {
      const w = await start();
      const ja = mail('ada@example.com', { from: 'ニュースレター <news@example.com>', subject: '購読の確認をお願いします', text: 'こんにちは', html: '<p>こんにちは</p>' });
      expect(await w.mailer().send([ja], key)).toMatchObject({ ok: true });
      expect(w.fake.sent[0]).toMatchObject({ content: 'Simple', from: 'ニュースレター <news@example.com>', subject: '購読の確認をお願いします', text: 'こんにちは' });
      const headers = { 'X-Campaign': 'été 2026', ...Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`X-Extra-${i}`, `v${i}`])) };
      expect(await w.mailer().send([{ ...ja, headers }], key)).toMatchObject({ ok: true });
      expect(w.fake.sent[1]).toMatchObject({ content: 'Raw', from: 'ニュースレター <news@example.com>', to: ['ada@example.com'], subject: '購読の確認をお願いします', text: 'こんにちは', html: '<p>こんにちは</p>', headers });
    },
  },
  {
    name: 'throttling (429 TooManyRequestsException) is retried, not in doubt; the next try is the one accepted mail',
    async run(start) {
      const w = await start({ maxSendRate: 1 });
      w.fake.setFault({ status: 429, retryAfter: 3, times: 1 });
      expect(await w.mailer().send([mail('ada@example.com')], key)).toMatchObject({ ok: false, retryable: true, inDoubt: false, paused: false, retryAfterMs: 3000, error: expect.stringContaining('TooManyRequestsException') });
      expect(await w.mailer().send([mail('ada@example.com')], key)).toMatchObject({ ok: true });
      // Over the account's rate: the imitation throttles as SES does.
      expect(await w.mailer().send([mail('bob@example.com')], key)).toMatchObject({ ok: false, retryable: true, error: expect.stringMatching(/^429 TooManyRequestsException: Maximum sending rate exceeded/) });
      expect(w.fake.sent.map((m) => m.to[0])).toEqual(['ada@example.com']);
      // aws4fetch's own retries are off: each send is one request.
      expect(w.fake.requests.map((r) => r.outcome)).toEqual(['fault', 'accepted', 'throttled']);
    },
  },
  {
    name: 'a 5xx or a lost connection is retried and in doubt (SES may have taken the mail)',
    async run(start) {
      const w = await start();
      w.fake.setFault({ status: 503, code: 'ServiceUnavailable', times: 1 });
      expect(await w.mailer().send([mail('ada@example.com')], key)).toMatchObject({ ok: false, retryable: true, inDoubt: true, error: expect.stringMatching(/^503 ServiceUnavailable/) });
      w.fake.setFault({ rawBody: '<html>Bad Gateway</html>', status: 502, times: 1 });
      expect(await w.mailer().send([mail('ada@example.com')], key)).toMatchObject({ ok: false, retryable: true, inDoubt: true, error: expect.stringMatching(/^502 /) });
      w.fake.setFault({ drop: 'after-accept', times: 1 });
      expect(await w.mailer().send([mail('ada@example.com')], key)).toMatchObject({ ok: false, retryable: true, inDoubt: true, error: expect.stringMatching(/^network: /) });
      expect(w.fake.requests).toHaveLength(3);
      expect(w.fake.sent).toHaveLength(1);
    },
  },
  {
    name: 'a rejection of one recipient (sandbox, a malformed address) fails that mail alone and for good',
    async run(start) {
      const w = await start({ sandbox: true, verifiedIdentities: ['example.com', 'ok@example.org'] });
      const mailer = w.mailer();
      expect(await mailer.send([mail('ok@example.org')], key)).toMatchObject({ ok: true });
      expect(await mailer.send([mail('stranger@example.org')], key)).toEqual({
        ok: true,
        results: [{ permanent: true, error: '400 MessageRejected: Email address is not verified. The following identities failed the check in region US-EAST-1: stranger@example.org' }],
      });
      expect(await mailer.send([mail('not an address')], key)).toMatchObject({ ok: true, results: [{ permanent: true, error: expect.stringMatching(/^400 BadRequestException/) }] });
    },
  },
  {
    name: 'account-level refusals pause: bad credentials, sending paused, a suspended account, an unverified sender, an unknown configuration set, the daily quota',
    async run(start) {
      const w = await start();
      const paused = { ok: false, retryable: true, inDoubt: false, paused: true };
      const refusal = async (opts: Partial<SesMailerOptions>, m = mail('ada@example.com')) => w.mailer(opts).send([m], key);
      expect(await refusal({ accessKeyId: 'AKIAUNKNOWNKEY000000' })).toMatchObject({ ...paused, error: expect.stringContaining('UnrecognizedClientException') });
      expect(await refusal({ secretAccessKey: 'expired-or-rotated' })).toMatchObject({ ...paused, error: expect.stringContaining('InvalidSignatureException') });
      expect(await refusal({ configurationSet: 'no-such-set' })).toMatchObject({ ...paused, error: expect.stringContaining('NotFoundException') });
      expect(await refusal({}, mail('ada@example.com', { from: 'news@unverified.example' }))).toMatchObject({ ...paused, error: expect.stringContaining('MessageRejected') });
      w.fake.setAccount('paused');
      expect(await refusal({})).toMatchObject({ ...paused, error: expect.stringContaining('SendingPausedException') });
      w.fake.setAccount('suspended');
      expect(await refusal({})).toMatchObject({ ...paused, error: expect.stringContaining('AccountSuspendedException') });
      w.fake.setAccount('enabled');
      w.fake.setFault({ status: 400, code: 'ThrottlingException', message: 'Daily message quota exceeded.', times: 1 });
      expect(await refusal({})).toMatchObject({ ...paused, error: expect.stringContaining('Daily message quota') });
      expect(w.fake.sent).toEqual([]);
    },
  },
];

/** `post` for a world: signs `body` with aws4fetch for the imitation and sends it through `send`. */
export function poster(endpoint: string, region: string, send: (r: Request) => Promise<Response>): SesWorld['post'] {
  return async (payload, sign = {}) => {
    const client = new AwsClient({ ...SES_TEST_CREDENTIALS, secretAccessKey: sign.secretAccessKey ?? SES_TEST_CREDENTIALS.secretAccessKey, region: sign.region ?? region, service: 'ses', retries: 0 });
    let request = await client.sign(`${endpoint}/v2/email/outbound-emails`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: payload });
    if (sign.tamper) request = await sign.tamper(request);
    return send(request);
  };
}
