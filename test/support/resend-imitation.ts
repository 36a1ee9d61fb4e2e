/**
 * A local imitation of the Resend HTTP API for tests.
 *
 * Drive it with the real `resend` SDK:
 *
 *   const api = await startResendImitation();
 *   const resend = new Resend('re_test', { baseUrl: api.baseUrl });
 *   await resend.emails.send({ from, to, subject, html });
 *   api.sent[0].links // -> confirmation links found in html/text
 *   await api.close();
 *
 * Only `node:http` is used and the server listens on 127.0.0.1 on an
 * ephemeral port; nothing reaches the network.
 *
 * Behaviour modelled on resend-node 6.38 (node_modules/resend/dist) and the
 * public Resend API docs:
 * - every error body is `{ statusCode, message, name }`; the SDK hands that
 *   object back verbatim as `error`, and the response headers (lower-cased)
 *   as `headers`.
 * - `POST /emails` answers `{ id }`; `POST /emails/batch` answers
 *   `{ data: [{ id }] }`, plus `errors: [{ index, message }]` in permissive
 *   mode. The SDK always sends `x-batch-validation` (`strict` unless
 *   `batchValidation: 'permissive'`).
 * - `Idempotency-Key`: a repeat with the same method, path, batch mode and
 *   (canonical JSON) body replays the first answer; a different payload is
 *   409 `invalid_idempotent_request`; a repeat while the first is still being
 *   processed (only possible with `latencyMs`) is 409
 *   `concurrent_idempotent_requests`. Only successful answers are stored, so
 *   validation errors, faults and rate limits do not consume a key.
 *
 * Order of checks per request: fault -> route (404/405) -> auth (401/403) ->
 * rate limit (429) -> JSON -> idempotency replay/conflict -> validation (422)
 * -> latency -> accept.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { randomUUID } from 'node:crypto';

// ---------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------

export interface ResendImitationOptions {
  /** Port to listen on (127.0.0.1). Default 0 = ephemeral. */
  port?: number;
  /** Team-wide limit like Resend's: at most N admitted requests per rolling 1 s window; the rest get 429. */
  rateLimitPerSecond?: number;
  /**
   * Artificial processing time (ms) for accepted sends, applied after
   * validation and while the idempotency key is held "in progress".
   */
  latencyMs?: number;
  /** If set, only these API keys are valid; any other `re_...` key gets 403 invalid_api_key. */
  apiKeys?: string[];
  /** If set, the domain of `from` must be one of these, else 403 validation_error (like an unverified domain). */
  verifiedDomains?: string[];
}

export interface ResendErrorBody {
  statusCode: number;
  message: string;
  name: string;
}

export interface Fault {
  /** HTTP status to answer with (e.g. 500, 503, 429). Ignored when `drop` is set. */
  status?: number;
  /** Error `name` in the JSON body. Default depends on status (429 -> rate_limit_exceeded, 500 -> internal_server_error, ...). */
  name?: string;
  /** Error `message` in the JSON body. */
  message?: string;
  /** Raw response body instead of Resend's JSON (e.g. an HTML page from a proxy), sent as text/html. */
  body?: string;
  /** Seconds for the `retry-after` header. Defaults to 1 for status 429. */
  retryAfter?: number;
  /**
   * `true`: destroy the socket without answering; nothing is recorded.
   * `'after-accept'`: process the request normally (mail recorded, idempotency
   * key stored) and then destroy the socket instead of answering: the
   * "lost acknowledgement" case.
   */
  drop?: boolean | 'after-accept';
  /** Wait this long (ms) before answering/dropping. */
  delayMs?: number;
  /** Fault only this many matching requests, then clear. */
  times?: number;
  /** Fault until this returns true (checked before each request), then clear. */
  until?: () => boolean;
  /** Only fault requests for which this returns true (default: every request). */
  match?: (req: { method: string; path: string }) => boolean;
}

export type RequestOutcome =
  | 'pending'
  | 'accepted'
  | 'replayed'
  | 'rejected'
  | 'rate_limited'
  | 'fault'
  | 'dropped';

export interface RecordedRequest {
  /** 1-based arrival order. */
  seq: number;
  method: string;
  path: string;
  /** Lower-cased request headers. */
  headers: Record<string, string>;
  idempotencyKey: string | null;
  /** Value of `x-batch-validation`, if sent. */
  batchValidation: string | null;
  /** Number of mails in the request body (1 for /emails, array length for /emails/batch, 0 if unparsable). */
  mailCount: number;
  /** Number of mails newly recorded in `sent` by this request. */
  acceptedCount: number;
  /** HTTP status answered; null while pending or when the socket was dropped. */
  status: number | null;
  outcome: RequestOutcome;
  /** Error name answered, if any. */
  errorName: string | null;
  /** Parsed JSON body (undefined if not JSON). */
  body: unknown;
  /** Answered JSON (undefined for dropped requests). */
  response: unknown;
  /** Date.now() at arrival. */
  time: number;
  /** ms from arrival to answer/drop; null while pending. */
  durationMs: number | null;
}

export interface SentMail {
  id: string;
  from: string;
  /** Always an array (the API accepts a string or an array). */
  to: string[];
  cc: string[];
  bcc: string[];
  replyTo: string[];
  subject: string;
  html?: string;
  text?: string;
  /** Custom mail headers from the request (`headers` field), e.g. List-Unsubscribe. */
  headers: Record<string, string>;
  tags: { name: string; value: string }[];
  scheduledAt?: string;
  attachments?: unknown[];
  topicId?: string;
  template?: unknown;
  /** Bare, lower-cased recipient addresses (to+cc+bcc) without display names. */
  recipients: string[];
  /** URLs found in html (href) and text, in order, de-duplicated. */
  links: string[];
  idempotencyKey: string | null;
  /** seq of the request that created it. */
  requestSeq: number;
  /** Position in the batch, when sent via /emails/batch. */
  batchIndex: number | null;
  createdAt: string;
  /** The mail object exactly as received. */
  raw: Record<string, unknown>;
}

export interface ResendImitation {
  /** `http://127.0.0.1:<port>` (no trailing slash, the SDK appends `/emails`). */
  baseUrl: string;
  /** Same as baseUrl. */
  url: string;
  port: number;
  /** Every accepted mail, in order. */
  sent: SentMail[];
  /** Every request, in arrival order (entries are updated when answered). */
  requests: RecordedRequest[];
  /** Install a fault (replaces any previous one); `null` clears. */
  setFault(fault: Fault | null): void;
  clearFault(): void;
  /** The active fault, or null. */
  getFault(): Fault | null;
  /** Change (or with null, disable) the rate limit at runtime; clears the window. */
  setRateLimit(perSecond: number | null): void;
  /** Resolves with `sent` once `sent.length >= n`; rejects after timeoutMs (default 5000). */
  waitForMails(n: number, timeoutMs?: number): Promise<SentMail[]>;
  /** Resolves with `requests` once `n` requests have been answered (or dropped). */
  waitForRequests(n: number, timeoutMs?: number): Promise<RecordedRequest[]>;
  /** Accepted mails having `address` (bare, case-insensitive) among to/cc/bcc. */
  mailsTo(address: string): SentMail[];
  /** Last accepted mail to `address`, or undefined. */
  lastMailTo(address: string): SentMail | undefined;
  /** Forget sent mails, requests, idempotency keys, fault and rate window. */
  reset(): void;
  /** Close the server and every open socket. Idempotent. */
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------
// Validation helpers
// ---------------------------------------------------------------------------

const MAX_BATCH = 100;
const MAX_RECIPIENTS = 50;
const MAX_IDEMPOTENCY_KEY = 256;

const ADDRESS_FORMAT =
  'The email address needs to follow the `email@example.com` or `Name <email@example.com>` format.';

const LOCAL_PART = /^[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+(?:\.[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+)*$/u;
const DOMAIN_LABEL = /^[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?$/u;
const NAMED_ADDRESS = /^\s*(?:"[^"]*"|[^<>"]*?)\s*<([^<>\s]+)>\s*$/;

/** Bare address from `a@b.c` or `Name <a@b.c>`, or null if syntactically invalid. */
export function parseAddress(input: string): string | null {
  if (typeof input !== 'string') return null;
  const named = NAMED_ADDRESS.exec(input);
  const addr = (named ? named[1] : input).trim();
  if (addr.length === 0 || addr.length > 254) return null;
  const at = addr.lastIndexOf('@');
  if (at <= 0 || at === addr.length - 1) return null;
  const local = addr.slice(0, at);
  const domain = addr.slice(at + 1);
  if (local.length > 64 || !LOCAL_PART.test(local)) return null;
  const labels = domain.split('.');
  if (labels.length < 2 || !labels.every((l) => DOMAIN_LABEL.test(l))) return null;
  const tld = labels[labels.length - 1];
  if (tld.length < 2 || /^\d+$/.test(tld)) return null;
  return addr;
}

type ValidationError = { statusCode: number; name: string; message: string };

function missing(field: string): ValidationError {
  return { statusCode: 422, name: 'missing_required_field', message: `Missing \`${field}\` field.` };
}
function invalid(message: string, statusCode = 422): ValidationError {
  return { statusCode, name: 'validation_error', message };
}

function isPresent(v: unknown): boolean {
  return v !== undefined && v !== null;
}

function toList(v: unknown): string[] | null {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  return null;
}

function validateAddressList(field: string, value: unknown, required: boolean): ValidationError | null {
  if (!isPresent(value) || (Array.isArray(value) && value.length === 0) || value === '') {
    return required ? missing(field) : null;
  }
  const list = toList(value);
  if (!list) return invalid(`Invalid \`${field}\` field. ${ADDRESS_FORMAT}`);
  if (list.length > MAX_RECIPIENTS) {
    return invalid(`Too many recipients in \`${field}\` field. The maximum is ${MAX_RECIPIENTS}.`);
  }
  for (const a of list) if (!parseAddress(a)) return invalid(`Invalid \`${field}\` field. ${ADDRESS_FORMAT}`);
  return null;
}

function nonEmptyString(v: unknown): v is string {
  return typeof v === 'string' && v.trim().length > 0;
}

function validateMail(
  mail: unknown,
  ctx: { batch: boolean; verifiedDomains?: string[] },
): ValidationError | null {
  if (typeof mail !== 'object' || mail === null || Array.isArray(mail)) {
    return invalid('Invalid request body. Expected a JSON object.');
  }
  const m = mail as Record<string, unknown>;
  const hasTemplate = typeof m.template === 'object' && m.template !== null;

  if (!isPresent(m.from) || m.from === '') return missing('from');
  if (typeof m.from !== 'string' || !parseAddress(m.from)) {
    return invalid(`Invalid \`from\` field. ${ADDRESS_FORMAT}`);
  }
  const toErr = validateAddressList('to', m.to, true);
  if (toErr) return toErr;
  if (!hasTemplate) {
    if (!nonEmptyString(m.subject)) return missing('subject');
    if (!nonEmptyString(m.html) && !nonEmptyString(m.text)) return missing('html` or `text');
  } else if (isPresent(m.subject) && typeof m.subject !== 'string') {
    return invalid('Invalid `subject` field. Expected a string.');
  }
  if (isPresent(m.html) && typeof m.html !== 'string') return invalid('Invalid `html` field. Expected a string.');
  if (isPresent(m.text) && typeof m.text !== 'string') return invalid('Invalid `text` field. Expected a string.');
  for (const f of ['cc', 'bcc', 'reply_to'] as const) {
    const err = validateAddressList(f, m[f], false);
    if (err) return err;
  }
  if (isPresent(m.headers)) {
    const h = m.headers;
    if (typeof h !== 'object' || Array.isArray(h) || !Object.values(h as object).every((v) => typeof v === 'string')) {
      return invalid('Invalid `headers` field. Expected an object of string values.');
    }
  }
  if (isPresent(m.tags)) {
    const ok =
      Array.isArray(m.tags) &&
      m.tags.every(
        (t) =>
          typeof t === 'object' &&
          t !== null &&
          typeof (t as { name?: unknown }).name === 'string' &&
          typeof (t as { value?: unknown }).value === 'string' &&
          /^[A-Za-z0-9_-]{1,256}$/.test((t as { name: string }).name) &&
          /^[A-Za-z0-9_-]{1,256}$/.test((t as { value: string }).value),
      );
    if (!ok) {
      return invalid(
        'Invalid `tags` field. Tag names and values can only contain ASCII letters, numbers, underscores, or dashes.',
      );
    }
  }
  if (ctx.batch && isPresent(m.attachments)) {
    return invalid('The `attachments` field is not supported for batch emails.');
  }
  if (ctx.verifiedDomains) {
    const domain = parseAddress(m.from)!.split('@').pop()!.toLowerCase();
    if (!ctx.verifiedDomains.map((d) => d.toLowerCase()).includes(domain)) {
      return invalid(
        `The ${domain} domain is not verified. Please, add and verify your domain on https://resend.com/domains`,
        403,
      );
    }
  }
  return null;
}

// ---------------------------------------------------------------------------
// Misc helpers
// ---------------------------------------------------------------------------

function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

function decodeEntities(s: string): string {
  return s
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>');
}

export function extractLinks(html?: string, text?: string): string[] {
  const out: string[] = [];
  const add = (u: string) => {
    if (!out.includes(u)) out.push(u);
  };
  if (html) {
    for (const m of html.matchAll(/href\s*=\s*(?:"([^"]*)"|'([^']*)')/gi)) {
      const u = decodeEntities(m[1] ?? m[2] ?? '');
      if (/^https?:\/\//i.test(u)) add(u);
    }
  }
  if (text) {
    for (const m of text.matchAll(/https?:\/\/[^\s<>"')\]]+/g)) add(m[0].replace(/[.,;:!?]+$/, ''));
  }
  return out;
}

function defaultErrorFor(status: number): { name: string; message: string } {
  switch (status) {
    case 400:
      return { name: 'validation_error', message: 'We found an error with one or more fields in the request.' };
    case 401:
      return { name: 'missing_api_key', message: 'Missing API key in the authorization header.' };
    case 403:
      return { name: 'invalid_api_key', message: 'API key is invalid.' };
    case 404:
      return { name: 'not_found', message: 'The requested endpoint does not exist.' };
    case 409:
      return {
        name: 'concurrent_idempotent_requests',
        message: 'Same idempotency key used while original request is still in progress. Try the request again later.',
      };
    case 422:
      return { name: 'validation_error', message: 'We found an error with one or more fields in the request.' };
    case 429:
      return { name: 'rate_limit_exceeded', message: rateLimitMessage(null) };
    case 500:
      return { name: 'internal_server_error', message: 'An unexpected error occurred.' };
    default:
      return { name: 'application_error', message: 'An unexpected error occurred.' };
  }
}

function rateLimitMessage(limit: number | null): string {
  const n = limit ?? 'a limited number of';
  return `Too many requests. You can only make ${n} requests per second. See rate limit response headers for more information. Or contact support to increase rate limit.`;
}

// ---------------------------------------------------------------------------
// Server
// ---------------------------------------------------------------------------

type StoredAnswer = { status: number; body: unknown; fingerprint: string };

export async function startResendImitation(opts: ResendImitationOptions = {}): Promise<ResendImitation> {
  const sent: SentMail[] = [];
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const timers = new Map<NodeJS.Timeout, () => void>();
  const idempotency = new Map<string, StoredAnswer>();
  const inFlight = new Map<string, string>(); // key -> fingerprint
  let fault: (Fault & { remaining?: number }) | null = null;
  let rateLimit: number | null = opts.rateLimitPerSecond ?? null;
  let window: number[] = [];
  let closed = false;
  let seq = 0;
  let answered = 0;

  type Waiter = { check: () => boolean; resolve: () => void; reject: (e: Error) => void; timer: NodeJS.Timeout };
  const waiters = new Set<Waiter>();
  const notify = () => {
    for (const w of [...waiters]) {
      if (w.check()) {
        clearTimeout(w.timer);
        waiters.delete(w);
        w.resolve();
      }
    }
  };

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (ms <= 0 || closed) return resolve();
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.set(t, resolve);
    });

  const readBody = (req: IncomingMessage) =>
    new Promise<string>((resolve, reject) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      req.on('error', reject);
    });

  function finish(rec: RecordedRequest, status: number | null, outcome: RequestOutcome, response: unknown) {
    rec.status = status;
    rec.outcome = outcome;
    rec.response = response;
    rec.durationMs = Date.now() - rec.time;
    if (response && typeof response === 'object' && 'name' in response && 'statusCode' in response) {
      rec.errorName = String((response as ResendErrorBody).name);
    }
    answered++;
    notify();
  }

  function send(
    res: ServerResponse,
    rec: RecordedRequest,
    status: number,
    body: unknown,
    outcome: RequestOutcome,
    extraHeaders: Record<string, string> = {},
  ) {
    if (res.destroyed || closed) {
      finish(rec, null, 'dropped', undefined);
      return;
    }
    const payload = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(payload),
      ...extraHeaders,
    });
    res.end(payload);
    finish(rec, status, outcome, body);
  }

  function sendError(
    res: ServerResponse,
    rec: RecordedRequest,
    err: { statusCode: number; name: string; message: string },
    outcome: RequestOutcome = 'rejected',
    extraHeaders: Record<string, string> = {},
  ) {
    const body: ResendErrorBody = { statusCode: err.statusCode, message: err.message, name: err.name };
    send(res, rec, err.statusCode, body, outcome, extraHeaders);
  }

  function drop(res: ServerResponse, rec: RecordedRequest) {
    res.socket?.destroy();
    res.destroy();
    finish(rec, null, 'dropped', undefined);
  }

  /** Returns the fault to apply to this request (consuming one `times`), or null. */
  function takeFault(method: string, path: string): Fault | null {
    if (!fault) return null;
    if (fault.until && fault.until()) {
      fault = null;
      return null;
    }
    if (fault.match && !fault.match({ method, path })) return null;
    const f = fault;
    if (f.remaining !== undefined) {
      f.remaining--;
      if (f.remaining <= 0) fault = null;
    }
    return f;
  }

  function rateLimitHeaders(): { ok: boolean; headers: Record<string, string> } {
    if (rateLimit === null) return { ok: true, headers: {} };
    const now = Date.now();
    window = window.filter((t) => t > now - 1000);
    const resetSecs = () => Math.max(1, Math.ceil(((window[0] ?? now) + 1000 - now) / 1000));
    if (window.length >= rateLimit) {
      const secs = resetSecs();
      return {
        ok: false,
        headers: {
          'ratelimit-limit': String(rateLimit),
          'ratelimit-remaining': '0',
          'ratelimit-reset': String(secs),
          'ratelimit-policy': `${rateLimit};w=1`,
          'retry-after': String(secs),
        },
      };
    }
    window.push(now);
    return {
      ok: true,
      headers: {
        'ratelimit-limit': String(rateLimit),
        'ratelimit-remaining': String(Math.max(0, rateLimit - window.length)),
        'ratelimit-reset': String(resetSecs()),
        'ratelimit-policy': `${rateLimit};w=1`,
      },
    };
  }

  function recordMail(
    raw: Record<string, unknown>,
    rec: RecordedRequest,
    batchIndex: number | null,
  ): SentMail {
    const to = toList(raw.to) ?? [];
    const cc = toList(raw.cc) ?? [];
    const bcc = toList(raw.bcc) ?? [];
    const html = typeof raw.html === 'string' ? raw.html : undefined;
    const text = typeof raw.text === 'string' ? raw.text : undefined;
    const mail: SentMail = {
      id: randomUUID(),
      from: raw.from as string,
      to,
      cc,
      bcc,
      replyTo: toList(raw.reply_to) ?? [],
      subject: typeof raw.subject === 'string' ? raw.subject : '',
      html,
      text,
      headers: (raw.headers as Record<string, string> | undefined) ?? {},
      tags: (raw.tags as { name: string; value: string }[] | undefined) ?? [],
      scheduledAt: typeof raw.scheduled_at === 'string' ? raw.scheduled_at : undefined,
      attachments: Array.isArray(raw.attachments) ? raw.attachments : undefined,
      topicId: typeof raw.topic_id === 'string' ? raw.topic_id : undefined,
      template: raw.template,
      recipients: [...to, ...cc, ...bcc].map((a) => parseAddress(a)!.toLowerCase()),
      links: extractLinks(html, text),
      idempotencyKey: rec.idempotencyKey,
      requestSeq: rec.seq,
      batchIndex,
      createdAt: new Date().toISOString(),
      raw,
    };
    sent.push(mail);
    rec.acceptedCount++;
    return mail;
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = (req.method ?? 'GET').toUpperCase();
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
    }
    const rec: RecordedRequest = {
      seq: ++seq,
      method,
      path,
      headers,
      idempotencyKey: headers['idempotency-key'] ?? null,
      batchValidation: headers['x-batch-validation'] ?? null,
      mailCount: 0,
      acceptedCount: 0,
      status: null,
      outcome: 'pending',
      errorName: null,
      body: undefined,
      response: undefined,
      time: Date.now(),
      durationMs: null,
    };
    requests.push(rec);

    let rawBody: string;
    try {
      rawBody = await readBody(req);
    } catch {
      finish(rec, null, 'dropped', undefined);
      return;
    }
    let parsed: unknown = undefined;
    let parseOk = true;
    if (rawBody.length > 0) {
      try {
        parsed = JSON.parse(rawBody);
      } catch {
        parseOk = false;
      }
    }
    rec.body = parsed;
    rec.mailCount = Array.isArray(parsed) ? parsed.length : parsed && typeof parsed === 'object' ? 1 : 0;

    // 1. Fault injection.
    const f = takeFault(method, path);
    let dropAfterAccept = false;
    if (f) {
      if (f.delayMs) await sleep(f.delayMs);
      if (closed) return drop(res, rec);
      if (f.drop === 'after-accept') {
        dropAfterAccept = true;
      } else if (f.drop) {
        return drop(res, rec);
      } else {
        const status = f.status ?? 500;
        const extra: Record<string, string> = {};
        const retryAfter = f.retryAfter ?? (status === 429 ? 1 : undefined);
        if (retryAfter !== undefined) extra['retry-after'] = String(retryAfter);
        if (status === 429) {
          extra['ratelimit-limit'] = String(rateLimit ?? 2);
          extra['ratelimit-remaining'] = '0';
          extra['ratelimit-reset'] = String(retryAfter ?? 1);
        }
        if (f.body !== undefined) {
          res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', ...extra });
          res.end(f.body);
          finish(rec, status, 'fault', f.body);
          return;
        }
        const def = defaultErrorFor(status);
        const name = f.name ?? def.name;
        const message = f.message ?? (status === 429 ? rateLimitMessage(rateLimit ?? 2) : def.message);
        return sendError(res, rec, { statusCode: status, name, message }, 'fault', extra);
      }
    }
    // From here on, a lost acknowledgement replaces the answer.
    const reply = (status: number, body: unknown, outcome: RequestOutcome, extra: Record<string, string> = {}) => {
      if (dropAfterAccept) {
        rec.response = body;
        return drop(res, rec);
      }
      return send(res, rec, status, body, outcome, extra);
    };
    const replyError = (
      err: { statusCode: number; name: string; message: string },
      outcome: RequestOutcome = 'rejected',
      extra: Record<string, string> = {},
    ) => reply(err.statusCode, { statusCode: err.statusCode, message: err.message, name: err.name }, outcome, extra);

    // 2. Routing.
    const getMatch = /^\/emails\/([^/]+)$/.exec(path);
    const isSend = path === '/emails';
    const isBatch = path === '/emails/batch';
    if (!isSend && !isBatch && !getMatch) {
      return replyError({ statusCode: 404, ...defaultErrorFor(404) });
    }
    if ((isSend || isBatch) && method !== 'POST' && !(isSend && method === 'GET')) {
      return replyError({
        statusCode: 405,
        name: 'method_not_allowed',
        message: 'Method is not allowed for the requested path.',
      });
    }
    if (getMatch && !isBatch && method !== 'GET') {
      return replyError({
        statusCode: 405,
        name: 'method_not_allowed',
        message: 'Method is not allowed for the requested path.',
      });
    }

    // 3. Auth.
    const auth = headers['authorization'];
    const token = auth?.match(/^Bearer\s+(.*)$/i)?.[1]?.trim();
    if (!auth || !auth.trim() || token === '' || token === 'undefined') {
      return replyError({ statusCode: 401, ...defaultErrorFor(401) });
    }
    if (!token || !token.startsWith('re_') || (opts.apiKeys && !opts.apiKeys.includes(token))) {
      return replyError({ statusCode: 403, ...defaultErrorFor(403) });
    }

    // 4. Rate limit.
    const rl = rateLimitHeaders();
    if (!rl.ok) {
      return replyError(
        { statusCode: 429, name: 'rate_limit_exceeded', message: rateLimitMessage(rateLimit) },
        'rate_limited',
        rl.headers,
      );
    }
    const rlh = rl.headers;

    // GET /emails (list) and GET /emails/:id.
    if (method === 'GET') {
      if (isSend) {
        const data = sent.map(toEmailObject).reverse();
        return reply(200, { object: 'list', has_more: false, data }, 'accepted', rlh);
      }
      const mail = sent.find((m) => m.id === getMatch![1]);
      if (!mail) return replyError({ statusCode: 404, name: 'not_found', message: 'Email not found' }, 'rejected', rlh);
      return reply(200, toEmailObject(mail), 'accepted', rlh);
    }

    // 5. Body.
    if (!parseOk) {
      return replyError(
        { statusCode: 400, name: 'validation_error', message: 'Invalid JSON in request body.' },
        'rejected',
        rlh,
      );
    }

    // 6. Idempotency.
    const key = rec.idempotencyKey;
    const mode = (rec.batchValidation ?? 'strict').toLowerCase();
    const fingerprint = `${method} ${path} ${isBatch ? mode : ''} ${canonicalJson(parsed)}`;
    if (key !== null) {
      if (key.length < 1 || key.length > MAX_IDEMPOTENCY_KEY) {
        return replyError(
          { statusCode: 400, name: 'invalid_idempotency_key', message: 'The key must be between 1-256 chars.' },
          'rejected',
          rlh,
        );
      }
      const stored = idempotency.get(key);
      if (stored) {
        if (stored.fingerprint === fingerprint) return reply(stored.status, stored.body, 'replayed', rlh);
        return replyError(
          {
            statusCode: 409,
            name: 'invalid_idempotent_request',
            message: 'Same idempotency key used with a different request payload. Change your idempotency key or payload.',
          },
          'rejected',
          rlh,
        );
      }
      if (inFlight.has(key)) {
        return replyError({ statusCode: 409, ...defaultErrorFor(409) }, 'rejected', rlh);
      }
    }

    // 7. Validation.
    const vctx = { batch: isBatch, verifiedDomains: opts.verifiedDomains };
    const accept: { index: number | null; mail: Record<string, unknown> }[] = [];
    const batchErrors: { index: number; message: string }[] = [];
    if (isSend) {
      const err = validateMail(parsed, vctx);
      if (err) return replyError(err, 'rejected', rlh);
      accept.push({ index: null, mail: parsed as Record<string, unknown> });
    } else {
      if (mode !== 'strict' && mode !== 'permissive') {
        return replyError(
          invalid('Invalid `x-batch-validation` header. Expected `strict` or `permissive`.'),
          'rejected',
          rlh,
        );
      }
      if (!Array.isArray(parsed)) {
        return replyError(invalid('Invalid request body. Expected an array of emails.'), 'rejected', rlh);
      }
      if (parsed.length === 0) {
        return replyError(invalid('The batch must contain at least 1 email.'), 'rejected', rlh);
      }
      if (parsed.length > MAX_BATCH) {
        return replyError(
          invalid(`Too many emails in batch. The maximum is ${MAX_BATCH} emails per request.`),
          'rejected',
          rlh,
        );
      }
      for (let i = 0; i < parsed.length; i++) {
        const err = validateMail(parsed[i], vctx);
        if (!err) {
          accept.push({ index: i, mail: parsed[i] as Record<string, unknown> });
          continue;
        }
        if (mode === 'strict') return replyError(err, 'rejected', rlh);
        batchErrors.push({ index: i, message: err.message });
      }
    }

    // 8. Accept (after optional latency, holding the key "in progress").
    if (key !== null) inFlight.set(key, fingerprint);
    try {
      if (opts.latencyMs) await sleep(opts.latencyMs);
      if (closed) return drop(res, rec);
      const mails = accept.map((a) => recordMail(a.mail, rec, a.index));
      const body = isSend
        ? { id: mails[0].id }
        : mode === 'permissive'
          ? { data: mails.map((m) => ({ id: m.id })), errors: batchErrors }
          : { data: mails.map((m) => ({ id: m.id })) };
      if (key !== null) idempotency.set(key, { status: 200, body, fingerprint });
      notify();
      return reply(200, body, 'accepted', rlh);
    } finally {
      if (key !== null) inFlight.delete(key);
    }
  }

  function toEmailObject(m: SentMail) {
    return {
      object: 'email',
      id: m.id,
      to: m.to,
      from: m.from,
      created_at: m.createdAt,
      subject: m.subject,
      html: m.html ?? null,
      text: m.text ?? null,
      bcc: m.bcc.length ? m.bcc : null,
      cc: m.cc.length ? m.cc : null,
      reply_to: m.replyTo.length ? m.replyTo : null,
      last_event: m.scheduledAt ? 'scheduled' : 'delivered',
      scheduled_at: m.scheduledAt ?? null,
      tags: m.tags,
    };
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      // A bug in the imitation: answer 500 so the test sees something.
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({ statusCode: 500, message: `imitation bug: ${String(err)}`, name: 'internal_server_error' }),
        );
      }
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const baseUrl = `http://127.0.0.1:${port}`;

  function wait<T>(check: () => boolean, value: () => T, what: () => string, timeoutMs: number): Promise<T> {
    if (check()) return Promise.resolve(value());
    if (closed) return Promise.reject(new Error(`resend imitation closed while waiting for ${what()}`));
    return new Promise<T>((resolve, reject) => {
      const w: Waiter = {
        check,
        resolve: () => resolve(value()),
        reject,
        timer: setTimeout(() => {
          waiters.delete(w);
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what()}`));
        }, timeoutMs),
      };
      waiters.add(w);
    });
  }

  const normalize = (a: string) => (parseAddress(a) ?? a).toLowerCase();

  return {
    baseUrl,
    url: baseUrl,
    port,
    sent,
    requests,
    setFault(f) {
      fault = f ? { ...f, remaining: f.times } : null;
      if (fault && fault.remaining !== undefined && fault.remaining <= 0) fault = null;
    },
    clearFault() {
      fault = null;
    },
    getFault() {
      return fault;
    },
    setRateLimit(perSecond) {
      rateLimit = perSecond;
      window = [];
    },
    waitForMails(n, timeoutMs = 5000) {
      return wait(
        () => sent.length >= n,
        () => sent,
        () => `${n} mails (have ${sent.length})`,
        timeoutMs,
      );
    },
    waitForRequests(n, timeoutMs = 5000) {
      return wait(
        () => answered >= n,
        () => requests,
        () => `${n} answered requests (have ${answered})`,
        timeoutMs,
      );
    },
    mailsTo(address) {
      const a = normalize(address);
      return sent.filter((m) => m.recipients.includes(a));
    },
    lastMailTo(address) {
      const a = normalize(address);
      for (let i = sent.length - 1; i >= 0; i--) if (sent[i].recipients.includes(a)) return sent[i];
      return undefined;
    },
    reset() {
      sent.length = 0;
      requests.length = 0;
      idempotency.clear();
      inFlight.clear();
      fault = null;
      window = [];
      answered = 0;
      seq = 0;
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const [t, resolve] of timers) {
        clearTimeout(t);
        resolve();
      }
      timers.clear();
      for (const w of waiters) {
        clearTimeout(w.timer);
        w.reject(new Error('resend imitation closed'));
      }
      waiters.clear();
      const done = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      for (const s of sockets) s.destroy();
      sockets.clear();
      await done;
    },
  };
}
