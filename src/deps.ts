import type { Config } from './config';
import type { Atomic, Db, List, OutboxMessage, Scope } from './db/types';
import type { HashKey } from './domain/ids';
import type { Tokens } from './domain/tokens';
import type { Resolver } from './domain/webhook-target';
import type { Lang } from './i18n/messages';

export type { Atomic, AtomicStatement, Db } from './db/types';

export interface Clock {
  now(): number;
}

export type SendOutcome =
  | { ok: true; results: Array<{ id: string } | { error: string; permanent: true }> }
  /**
   * `inDoubt`: no definite answer came back (network error, timeout, 5xx), so the provider may
   * have accepted the mails; the batch is then resent unchanged with the same idempotency key.
   * `paused`: the provider refuses every send until the operator acts (credentials, a suspended or
   * paused account, an unverified sender): the batch waits without spending one of its attempts,
   * probed about once a minute, so the backlog goes out once it is fixed (or ages out).
   */
  | { ok: false; retryable: boolean; retryAfterMs?: number; inDoubt?: boolean; paused?: boolean; error: string };

export interface Mailer {
  readonly name: 'resend' | 'smtp' | 'ses' | 'log' | 'memory';
  /** How many mails one provider request may carry. */
  readonly maxBatch: number;
  /** Sends mails in one provider request; a retry of the same batch passes the same key. */
  send(messages: OutboxMessage[], opts: { idempotencyKey: string }): Promise<SendOutcome>;
}

/** What one outbound HTTP request came to: an answer (any status) or no answer at all. */
export type PostOutcome =
  | { status: number; excerpt: string; location?: string }
  | {
      error: string;
      /** Not attempted: the target is not allowed (WEBHOOK_ALLOW_PRIVATE). */
      refused?: boolean;
    };

/**
 * Posts outbound webhooks. Never follows a redirect (a 3xx is an answer like any other), gives up
 * after WEBHOOK_TIMEOUT_MS, and keeps only the start of the answer's body. Node resolves the
 * host itself, refuses private addresses in production and connects only to the address it
 * checked; Workers cannot resolve names (Cloudflare does not route to private ranges).
 */
export interface WebhookTransport {
  post(url: string, request: { headers: Record<string, string>; body: string }): Promise<PostOutcome>;
}

export interface RateLimiter {
  /** Takes one token from `key`'s bucket; answers how long to wait when empty. */
  take(key: string, limit: { burst: number; perMinute: number }): Promise<{ ok: true } | { ok: false; retryAfterSeconds: number }>;
  /**
   * Always takes one token, letting the bucket run into debt, and answers when that token is really
   * due: 0 while the bucket had one, later and later while it is overdrawn. For work that may wait
   * but must never be refused (a flood delays confirmation mail, it does not refuse signups).
   */
  reserve(key: string, limit: { burst: number; perMinute: number }): Promise<{ delayMs: number }>;
}

export type LogFields = Record<string, unknown>;
export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

export interface Outbox {
  /** Tells the drain loop that new mail is waiting. */
  wake(): void;
}

export interface Deps {
  config: Config;
  db: Db;
  atomic: Atomic;
  /**
   * Where exports read from. Node passes a separate read-only connection, so a long download
   * never holds the writer's connection; without one (Workers, tests) exports page through `db`.
   */
  exportDb?: Db;
  mailer: Mailer;
  clock: Clock;
  tokens: Tokens;
  rateLimiter: RateLimiter;
  logger: Logger;
  outbox: Outbox;
  /** HMAC key for address hashes in the suppression list (per installation, never rotated). */
  hashKey: HashKey;
  /** Fetch used for outbound calls (Turnstile, SNS certificates); tests inject their own. */
  fetch: typeof fetch;
  /** Resolves a host name to its addresses (Node only): webhook targets are checked against them. */
  resolveHost?: Resolver;
  /** MX lookup for opt-in address checks (Node only): 'none' only when the domain certainly has no mail server. */
  mx?: (domain: string) => Promise<'ok' | 'none' | 'unknown'>;
  /**
   * The static files of src/public/ by path (Node). Workers serve that folder as static assets
   * before the app runs, so there it is unset.
   */
  staticFile?: (path: string) => Response | undefined;
  /** Aborted when the process is stopping (Node: SIGTERM): long work (an import) stops at its next safe point. */
  stopping?: AbortSignal;
  /** Keeps background work alive after the answer (Workers: ctx.waitUntil). */
  background?: (work: Promise<unknown>) => void;
}

/** Who a bearer key (or ADMIN_TOKEN) belongs to, as the auth middleware found it. */
export type Principal = { id: string; scopes: Scope[]; lists: string[] | null };

export type AppEnv = {
  /**
   * What each entry passes to `app.fetch` besides the request: the client address, which only
   * the entry can know (Node: the socket or, with TRUST_PROXY, X-Forwarded-For; Workers: CF-Connecting-IP).
   */
  Bindings: { clientIp?: string };
  Variables: { deps: Deps; requestId: string; principal?: Principal; list?: List };
};

/** A signed-in operator of the console: who (the key's principal), the session's id (a hash) and its CSRF token. */
export type ConsoleSession = { id: string; principal: Principal; csrf: string };

/** The operator console's routes: the page language, and after sign-in the session. */
export type ConsoleEnv = {
  Bindings: AppEnv['Bindings'];
  Variables: AppEnv['Variables'] & { lang: Lang; session?: ConsoleSession };
};
