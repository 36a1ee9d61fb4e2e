import type { ContactStore } from './contacts';

/** What the Resend imitation records and how a test steers it; shared by every adapter. */

export interface ResendFakeOptions {
  /** Team-wide limit like Resend's: at most N admitted requests per rolling 1 s window; the rest get 429. */
  rateLimitPerSecond?: number;
  /** Artificial processing time (ms) for accepted sends, applied after validation while the idempotency key is held. */
  latencyMs?: number;
  /** If set, only these API keys are valid; any other `re_...` key gets 403 invalid_api_key. */
  apiKeys?: string[];
  /** If set, the domain of `from` must be one of these, else 403 validation_error (like an unverified domain). */
  verifiedDomains?: string[];
  /** The clock of the rate-limit window (default Date.now), so a test can move time instead of waiting. */
  now?: () => number;
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
   * `true`: the connection fails without an answer; nothing is recorded.
   * `'after-accept'`: the request is processed normally (mail recorded, idempotency key stored),
   * then the connection fails instead of answering: the "lost acknowledgement" case.
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

export type RequestOutcome = 'pending' | 'accepted' | 'replayed' | 'rejected' | 'rate_limited' | 'fault' | 'dropped';

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
  /** HTTP status answered; null while pending or when the connection was dropped. */
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

/** One HTTP request as any adapter hands it over: lower-cased headers, the body as text. */
export type FakeRequest = { method: string; path: string; query?: string; headers: Record<string, string>; body: string };

/** What the adapter does: answer, or fail the connection (a network error as the SDK sees it). */
export type FakeAnswer = { drop: false; status: number; headers: Record<string, string>; body: string } | { drop: true };

/** The imitation without a network: state, steering, and the request handler the adapters call. */
export interface ResendFake {
  /** Every accepted mail, in order. */
  sent: SentMail[];
  /** Every request, in arrival order (entries are updated when answered). */
  requests: RecordedRequest[];
  /** The team's contacts, segments and topics (see contacts.ts). */
  contacts: ContactStore;
  /** Install a fault (replaces any previous one); `null` clears. */
  setFault(fault: Fault | null): void;
  clearFault(): void;
  /** The active fault, or null. */
  getFault(): Fault | null;
  /** Change (or with null, disable) the rate limit at runtime; clears the window. */
  setRateLimit(perSecond: number | null): void;
  /**
   * Holds every accepted send (after validation, its idempotency key in progress) until the
   * returned function is called: a request "in flight" for as long as a test needs, without timing.
   */
  hold(): () => void;
  /** Resolves with `sent` once `sent.length >= n`; rejects after timeoutMs (default 5000). */
  waitForMails(n: number, timeoutMs?: number): Promise<SentMail[]>;
  /** Resolves with `requests` once `n` requests have been answered (or dropped). */
  waitForRequests(n: number, timeoutMs?: number): Promise<RecordedRequest[]>;
  /** Resolves with `requests` once `n` requests have arrived, answered or not. */
  waitForArrivals(n: number, timeoutMs?: number): Promise<RecordedRequest[]>;
  /** Accepted mails having `address` (bare, case-insensitive) among to/cc/bcc. */
  mailsTo(address: string): SentMail[];
  /** Last accepted mail to `address`, or undefined. */
  lastMailTo(address: string): SentMail | undefined;
  /** Forget sent mails, requests, idempotency keys, fault, hold and rate window. */
  reset(): void;
  /** Answers one request; `gone()` tells whether the client went away meanwhile. */
  handle(req: FakeRequest, gone?: () => boolean): Promise<FakeAnswer>;
  /** Ends pending waits and delays; later requests are dropped. Idempotent. */
  close(): void;
}
