import { AwsClient } from 'aws4fetch';
import type { Config } from '../config';
import type { Mailer, SendOutcome } from '../deps';
import type { OutboxMessage } from '../db/types';
import { asciiMailbox, base64, rawMessage, simpleHeaders } from './mime';
import { classifySesError, readSesError } from './ses-errors';

export type SesMailerOptions = {
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Named on every mail, so SES publishes its bounces and complaints to the set's SNS topic. */
  configurationSet?: string;
  /** Another host for the SES API (an imitation in tests, a VPC endpoint); signed for `region` all the same. */
  endpoint?: string;
  timeoutMs?: number;
  fetch?: (request: Request) => Promise<Response>;
};

const utf8 = (Data: string) => ({ Data, Charset: 'UTF-8' });

/** The SendEmail body for one mail: Simple content with its headers where SES takes them so, else Raw. */
function sendEmailBody(m: OutboxMessage, configurationSet: string | undefined): Record<string, unknown> | { error: string } {
  const headers = simpleHeaders(m.headers);
  let content: Record<string, unknown>;
  if (headers) {
    content = { Simple: { Subject: utf8(m.subject), Body: { Text: utf8(m.text), Html: utf8(m.html) }, ...(headers.length ? { Headers: headers } : {}) } };
  } else {
    const raw = rawMessage(m);
    if ('error' in raw) return raw;
    content = { Raw: { Data: base64(raw.raw) } };
  }
  return {
    FromEmailAddress: asciiMailbox(m.from),
    Destination: { ToAddresses: [asciiMailbox(m.to)] },
    ...(m.replyTo ? { ReplyToAddresses: [asciiMailbox(m.replyTo)] } : {}),
    Content: content,
    ...(configurationSet ? { ConfigurationSetName: configurationSet } : {}),
    // Delivery events carry the tags back (`mail.tags.list`), so a bounce is counted for its list.
    ...(m.list ? { EmailTags: [{ Name: 'list', Value: m.list }] } : {}),
  };
}

/** The address part of a mailbox, lower-cased (to tell an unverified sender from an unverified recipient). */
const addressOf = (mailbox: string) => (/<([^<>]+)>\s*$/.exec(mailbox)?.[1] ?? mailbox).trim().toLowerCase();

/**
 * Amazon SES through its v2 API (`POST /v2/email/outbound-emails`), signed with SigV4 by aws4fetch,
 * on Node and on Workers alike. SES has no batch call, so a request carries one mail and
 * MAIL_RATE_PER_SECOND counts mails. SES takes no idempotency key: a crash (or a lost answer)
 * between SES's acceptance and our commit sends that mail again, so this transport is at-least-once.
 * See classifySesError for what is retried, what pauses the outbox and what fails one mail.
 */
export function sesMailer(opts: SesMailerOptions): Mailer {
  // aws4fetch retries 429 and 5xx by itself (ten times unless told): the outbox retries instead,
  // with its backoff, its pacing and a record of every attempt.
  const client = new AwsClient({ accessKeyId: opts.accessKeyId, secretAccessKey: opts.secretAccessKey, region: opts.region, service: 'ses', retries: 0 });
  const url = `${(opts.endpoint ?? `https://email.${opts.region}.amazonaws.com`).replace(/\/+$/, '')}/v2/email/outbound-emails`;
  const send = opts.fetch ?? ((request: Request) => fetch(request));
  const timeoutMs = opts.timeoutMs ?? 30_000;

  async function sendOne(m: OutboxMessage): Promise<{ id: string } | { error: string; permanent: true } | Extract<SendOutcome, { ok: false }>> {
    const body = sendEmailBody(m, opts.configurationSet);
    if ('error' in body) return { error: String(body.error), permanent: true };
    let res: Response;
    let text: string;
    try {
      const request = await client.sign(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(timeoutMs) });
      res = await send(request);
      text = await res.text();
    } catch (err) {
      // No answer: SES may have taken the mail before the connection broke or the time ran out.
      return { ok: false, retryable: true, inDoubt: true, error: `network: ${(err as Error).message}`.slice(0, 500) };
    }
    if (res.ok) {
      let id: unknown;
      try {
        id = (JSON.parse(text) as { MessageId?: unknown }).MessageId;
      } catch {
        // Accepted all the same (2xx): the id is only for the record.
      }
      return { id: typeof id === 'string' && id ? id : 'unknown' };
    }
    const verdict = classifySesError(readSesError(res, text), addressOf(m.from));
    return 'mail' in verdict ? verdict.mail : verdict.request;
  }

  return {
    name: 'ses',
    maxBatch: 1,
    async send(messages): Promise<SendOutcome> {
      // The outbox hands one mail at a time (maxBatch 1), so a refusal never follows an accepted mail here.
      const results: Array<{ id: string } | { error: string; permanent: true }> = [];
      for (const m of messages) {
        const r = await sendOne(m);
        if ('ok' in r) return r;
        results.push(r);
      }
      return { ok: true, results };
    },
  };
}

/** The SES mailer as the environment configures it (both entries build it alike). */
export function sesMailerFromConfig(config: Config): Mailer {
  return sesMailer({
    region: config.AWS_REGION!,
    accessKeyId: config.AWS_ACCESS_KEY_ID!,
    secretAccessKey: config.AWS_SECRET_ACCESS_KEY!,
    configurationSet: config.SES_CONFIGURATION_SET,
    endpoint: config.SES_ENDPOINT,
  });
}
