import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core';
import type { Config } from './config';
import type * as schema from './db/schema';
import type { OutboxMessage } from './db/schema';
import type { Tokens } from './domain/tokens';

/** Drizzle over better-sqlite3 (sync) or D1 (async); always `await` queries. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Db = BaseSQLiteDatabase<'sync' | 'async', any, typeof schema>;

/**
 * Runs statements so that all or none commit. `build` returns drizzle query builders
 * (not yet awaited) or prepared statements with their values (`bound()`, src/db/prepared.ts);
 * it must not await or branch on results: decide first, then write.
 * better-sqlite3: one synchronous transaction. D1: one batch().
 */
export type Atomic = (build: (db: Db) => AtomicStatement[]) => Promise<void>;
export type AtomicStatement = { run: (...args: never[]) => unknown };

export interface Clock {
  now(): number;
}

export type SendOutcome =
  | { ok: true; results: Array<{ id: string } | { error: string; permanent: true }> }
  /**
   * `inDoubt`: no definite answer came back (network error, timeout, 5xx), so the provider may
   * have accepted the mails; the batch is then resent unchanged with the same idempotency key.
   */
  | { ok: false; retryable: boolean; retryAfterMs?: number; inDoubt?: boolean; error: string };

export interface Mailer {
  readonly name: 'resend' | 'smtp' | 'log' | 'memory';
  /** How many mails one provider request may carry. */
  readonly maxBatch: number;
  /** Sends mails in one provider request; a retry of the same batch passes the same key. */
  send(messages: OutboxMessage[], opts: { idempotencyKey: string }): Promise<SendOutcome>;
}

export interface RateLimiter {
  /** Takes one token from `key`'s bucket; answers how long to wait when empty. */
  take(key: string, limit: { burst: number; perMinute: number }): Promise<{ ok: true } | { ok: false; retryAfterSeconds: number }>;
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
  hashKey: CryptoKey;
  /** Fetch used for outbound calls (Turnstile, SNS certificates); tests inject their own. */
  fetch: typeof fetch;
  /** MX lookup for opt-in address checks (Node only): 'none' only when the domain certainly has no mail server. */
  mx?: (domain: string) => Promise<'ok' | 'none' | 'unknown'>;
  /** Keeps background work alive after the answer (Workers: ctx.waitUntil). */
  background?: (work: Promise<unknown>) => void;
}

export type AppEnv = {
  Variables: { deps: Deps; requestId: string; principal?: import('./middleware/auth').Principal; list?: import('./db/queries/lists').List };
};
