import { readSendEmail } from './content';
import { verifySigV4 } from './sigv4';
import { SES_TEST_CREDENTIALS, type SesAccountState, type SesAnswer, type SesFakeOptions, type SesFault, type SesRecordedRequest, type SesRequest, type SesSentMail } from './types';

export type SesFake = ReturnType<typeof createSesFake>;

const PATH = '/v2/email/outbound-emails';
const ERROR_NAMESPACE = 'http://internal.amazon.com/coral/com.amazonaws.sesv2/';

/**
 * Amazon SES's v2 SendEmail (`POST /v2/email/outbound-emails`) without a network, modelled on the
 * SES v2 API reference: SigV4 checked with an independent implementation (sigv4.ts), then the
 * sending rate (429 TooManyRequestsException), the body, the configuration set (404), the
 * account's state (SendingPausedException, AccountSuspendedException), the sender's and in the
 * sandbox the recipients' verification (MessageRejected), and Simple or Raw content. Errors come
 * as SES's REST-JSON: the code in `x-amzn-ErrorType`, `{"message"}` in the body.
 * Runtime-neutral: node.ts serves it over node:http, `fetch` answers in workerd.
 */
export function createSesFake(opts: SesFakeOptions = {}) {
  const region = opts.region ?? 'us-east-1';
  const credentials: Record<string, string> = opts.credentials ?? { [SES_TEST_CREDENTIALS.accessKeyId]: SES_TEST_CREDENTIALS.secretAccessKey };
  const verified = new Set((opts.verifiedIdentities ?? ['example.com', 'listgate.test']).map((v) => v.toLowerCase()));
  const configurationSets = new Set(opts.configurationSets ?? ['listgate-events']);
  const now = opts.now ?? Date.now;
  const sent: SesSentMail[] = [];
  const requests: SesRecordedRequest[] = [];
  const waiters: Array<() => void> = [];
  let account: SesAccountState = 'enabled';
  let sandbox = opts.sandbox ?? false;
  let maxSendRate = opts.maxSendRate ?? null;
  let window: number[] = [];
  let fault: (SesFault & { used: number }) | null = null;
  let gate: { promise: Promise<void>; open: () => void } | null = null;
  let seq = 0;

  const notify = () => waiters.splice(0).forEach((w) => w());
  const isVerified = (address: string) => verified.has(address) || verified.has(address.split('@')[1] ?? '');
  const addressIn = (display: string) => (/<([^<>]+)>$/.exec(display)?.[1] ?? display).toLowerCase();

  function takeFault(): SesFault | null {
    if (!fault) return null;
    if (fault.until?.()) return (fault = null);
    const f = fault;
    if (f.times !== undefined && ++f.used >= f.times) fault = null;
    return f;
  }

  async function handle(req: SesRequest, gone: () => boolean = () => false): Promise<SesAnswer> {
    const url = new URL(req.url);
    const rec: SesRecordedRequest = { seq: ++seq, method: req.method.toUpperCase(), path: url.pathname, status: null, outcome: 'pending', errorCode: null, accessKeyId: null, body: undefined };
    requests.push(rec);
    try {
      rec.body = JSON.parse(req.body);
    } catch {
      rec.body = req.body;
    }
    notify();
    const finish = (status: number | null, outcome: SesRecordedRequest['outcome'], errorCode: string | null = null) => {
      Object.assign(rec, { status, outcome, errorCode });
      notify();
    };
    const answer = (status: number, body: unknown, outcome: SesRecordedRequest['outcome'], extra: Record<string, string> = {}): SesAnswer => {
      if (gone()) return (finish(null, 'dropped'), { drop: true });
      finish(status, outcome, extra['x-amzn-errortype']?.split(':')[0] ?? null);
      return { drop: false, status, headers: { 'content-type': 'application/json', 'x-amzn-requestid': crypto.randomUUID(), ...extra }, body: JSON.stringify(body) };
    };
    const refuse = (status: number, code: string, message: string, outcome: SesRecordedRequest['outcome'] = 'rejected', extra: Record<string, string> = {}) =>
      answer(status, { message }, outcome, { 'x-amzn-errortype': `${code}:${ERROR_NAMESPACE}`, ...extra });

    let dropAfterAccept = false;
    const f = takeFault();
    if (f?.drop === 'after-accept') dropAfterAccept = true;
    else if (f?.drop) return (finish(null, 'dropped'), { drop: true });
    else if (f?.rawBody !== undefined) {
      finish(f.status ?? 502, 'fault');
      return { drop: false, status: f.status ?? 502, headers: { 'content-type': 'text/html' }, body: f.rawBody };
    } else if (f) {
      const status = f.status ?? 500;
      const code = f.code ?? (status === 429 ? 'TooManyRequestsException' : status >= 500 ? 'InternalFailure' : 'BadRequestException');
      return refuse(status, code, f.message ?? (status >= 500 ? 'An internal error occurred.' : 'Injected fault'), 'fault', f.retryAfter !== undefined ? { 'retry-after': String(f.retryAfter) } : {});
    }

    if (url.pathname !== PATH) return refuse(404, 'UnknownOperationException', 'Unknown operation');
    if (rec.method !== 'POST') return refuse(405, 'MethodNotAllowedException', 'Method not allowed');
    const signed = verifySigV4({ method: rec.method, url, headers: req.headers, body: req.body }, { region, service: 'ses', credentials, now: now() });
    if (!signed.ok) return refuse(signed.status, signed.code, signed.message);
    rec.accessKeyId = signed.accessKeyId;

    if (maxSendRate !== null) {
      const t = now();
      window = window.filter((at) => at > t - 1000);
      if (window.length >= maxSendRate) return refuse(429, 'TooManyRequestsException', 'Maximum sending rate exceeded.', 'throttled');
      window.push(t);
    }
    if (!rec.body || typeof rec.body !== 'object') return refuse(400, 'SerializationException', 'Could not parse the request body as JSON.');
    const body = rec.body as Record<string, unknown>;
    if (typeof body.ConfigurationSetName === 'string' && !configurationSets.has(body.ConfigurationSetName)) {
      return refuse(404, 'NotFoundException', `Configuration set <${body.ConfigurationSetName}> does not exist.`);
    }
    if (account === 'paused') return refuse(400, 'SendingPausedException', 'Sending is paused for this account. For more information, please check your email sending settings.');
    if (account === 'suspended') return refuse(400, 'AccountSuspendedException', 'The account is suspended from sending email.');
    const read = await readSendEmail(body);
    if (!read.ok) return refuse(read.status, read.code, read.message);
    const unverified = [addressIn(read.mail.from), ...(sandbox ? read.mail.to.map(addressIn) : [])].filter((a) => !isVerified(a));
    if (unverified.length) {
      return refuse(400, 'MessageRejected', `Email address is not verified. The following identities failed the check in region ${region.toUpperCase()}: ${[...new Set(unverified)].join(', ')}`);
    }

    const mail: SesSentMail = { ...read.mail, messageId: `0100${now().toString(16)}-${crypto.randomUUID()}-000000`, accessKeyId: signed.accessKeyId };
    sent.push(mail);
    notify();
    while (gate) await gate.promise;
    if (dropAfterAccept) return (finish(null, 'dropped'), { drop: true });
    return answer(200, { MessageId: mail.messageId }, 'accepted');
  }

  /** workerd (or anything with fetch): the imitation as a fetch function. A dropped request rejects as a lost connection does. */
  async function fetchHandler(input: Request): Promise<Response> {
    const headers: Record<string, string> = { host: new URL(input.url).host };
    input.headers.forEach((v, k) => (headers[k] = v));
    const a = await handle({ method: input.method, url: input.url, headers, body: input.body ? await input.text() : '' });
    if (a.drop) throw new TypeError('fetch failed: connection dropped by the SES imitation');
    return new Response(a.body, { status: a.status, headers: a.headers });
  }

  const until = (done: () => boolean, what: () => string, timeoutMs: number) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`SES imitation: timed out waiting for ${what()}`)), timeoutMs);
      const check = () => (done() ? (clearTimeout(timer), resolve()) : waiters.push(check));
      check();
    });

  return {
    region,
    sent,
    requests,
    handle,
    fetch: fetchHandler,
    setFault: (f: SesFault | null) => void (fault = f ? { ...f, used: 0 } : null),
    setAccount: (state: SesAccountState) => void (account = state),
    setSandbox: (on: boolean) => void (sandbox = on),
    setMaxSendRate: (perSecond: number | null) => void ((maxSendRate = perSecond), (window = [])),
    verify: (identity: string) => void verified.add(identity.toLowerCase()),
    /** Holds the answers to accepted mails (recorded in `sent` already) until the returned function is called. */
    hold() {
      if (!gate) {
        let open!: () => void;
        const promise = new Promise<void>((r) => (open = r));
        gate = { promise, open };
      }
      return () => {
        gate?.open();
        gate = null;
      };
    },
    mailsTo: (address: string) => sent.filter((m) => m.to.some((t) => addressIn(t) === address.toLowerCase())),
    waitForMails: (n: number, timeoutMs = 10_000) => until(() => sent.length >= n, () => `${n} mails (have ${sent.length})`, timeoutMs),
    waitForRequests: (n: number, timeoutMs = 10_000) =>
      until(() => requests.filter((r) => r.outcome !== 'pending').length >= n, () => `${n} answered requests (have ${requests.length})`, timeoutMs),
    reset() {
      sent.length = 0;
      requests.length = 0;
      window = [];
      fault = null;
      account = 'enabled';
      seq = 0;
    },
  };
}
