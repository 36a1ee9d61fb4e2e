import * as z from 'zod';
import { ADMIN_TOKEN_MIN, BEARER_KEY } from './domain/bearer';

const flag = z
  .enum(['1', '0', 'true', 'false', ''])
  .optional()
  .transform((v) => v === '1' || v === 'true');
const int = (def: number) => z.coerce.number().int().nonnegative().default(def);
const num = (def: number) => z.coerce.number().positive().default(def);
/** How AWS names regions (us-east-1, ap-northeast-1, us-gov-west-1, cn-north-1). */
const AWS_REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const optional = z
  .string()
  .optional()
  .transform((v) => (v === '' ? undefined : v));

/** The environment as the contract names it; defaults fit one busy list. */
export const envSchema = z.object({
  NODE_ENV: optional,
  PORT: int(3000),
  HOST: z.string().default('127.0.0.1'),
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).default('http://localhost:3000').transform((u) => u.replace(/\/+$/, '')),
  DATABASE_PATH: z.string().default('./data/listgate.db'),
  TOKEN_SECRET: optional,
  TOKEN_SECRET_PREVIOUS: optional,
  ADMIN_TOKEN: optional,
  MAIL_TRANSPORT: z.enum(['resend', 'smtp', 'ses', 'log']).optional().or(z.literal('').transform(() => undefined)),
  RESEND_API_KEY: optional,
  RESEND_BASE_URL: optional,
  SMTP_URL: optional,
  /** Amazon SES (MAIL_TRANSPORT=ses): the region signed for and, unless SES_ENDPOINT says otherwise, called. */
  AWS_REGION: optional.refine((v) => v === undefined || AWS_REGION.test(v), 'an AWS region such as eu-west-1'),
  AWS_ACCESS_KEY_ID: optional,
  AWS_SECRET_ACCESS_KEY: optional,
  SES_CONFIGURATION_SET: optional.refine((v) => v === undefined || /^[A-Za-z0-9_-]{1,64}$/.test(v), 'a configuration set name: up to 64 letters, digits, _ or -'),
  SES_ENDPOINT: z.url({ protocol: /^https?$/ }).optional().or(z.literal('').transform(() => undefined)),
  MAIL_FROM: z.string().default('listgate <onboarding@localhost>'),
  MAIL_RATE_PER_SECOND: num(2),
  /** Resend contact sync calls per second, taken only while no confirmation mail is due (same team limit). */
  RESEND_SYNC_PER_SECOND: num(1),
  CONFIRM_TTL_HOURS: num(48),
  TRUST_PROXY: flag,
  RESEND_WEBHOOK_SECRET: optional,
  SES_TOPIC_ARNS: optional.transform((v) => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : [])),
  TURNSTILE_VERIFY_URL: z.url().default('https://challenges.cloudflare.com/turnstile/v0/siteverify'),
  /** How long a signup waits for the Turnstile verifier before refusing with 503. */
  TURNSTILE_TIMEOUT_MS: int(5000),
  CHECK_MX: flag,
  /** Signups per client address per list: bucket size and refill per minute. */
  RATE_LIMIT_SIGNUP_BURST: int(5),
  RATE_LIMIT_SIGNUP_PER_MINUTE: num(10),
  /** Signups per list from all clients, per minute (a ceiling against floods). */
  RATE_LIMIT_LIST_PER_MINUTE: num(600),
  /** Confirm/unsubscribe/other POSTs per client address per minute. */
  RATE_LIMIT_ACTION_PER_MINUTE: num(60),
  SOFT_BOUNCE_LIMIT: int(3),
  SOFT_BOUNCE_WINDOW_DAYS: num(30),
  MAX_BODY_BYTES: int(16 * 1024),
  /** The import route's own body ceiling (a streamed CSV or NDJSON file). */
  IMPORT_MAX_BYTES: int(100 * 1024 * 1024),
  /** Confirmation mails of reconfirm imports per hour, across the installation. */
  IMPORT_RECONFIRM_PER_HOUR: num(500),
  /** Data rows one import request may carry; 0: no limit (Node). Workers default to 10000. */
  IMPORT_MAX_ROWS_PER_REQUEST: int(0),
  OUTBOX_MAX_ATTEMPTS: int(20),
  OUTBOX_MAX_AGE_HOURS: num(24),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  /** `json` lines, or `pretty` for a terminal; unset: pretty on a terminal in development, else json. */
  LOG_FORMAT: z.enum(['json', 'pretty']).optional().or(z.literal('').transform(() => undefined)),
  /** Node: a request's headers must arrive within this, its whole body within the next (small bodies). */
  HTTP_HEADERS_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).default(30_000),
  /** Days kept: mail sent or given up (it holds addresses and links), and finished provider batches. */
  RETENTION_SENT_MAIL_DAYS: num(7),
  /** Days a webhook's id is remembered so a provider's retry is not applied twice. */
  RETENTION_WEBHOOK_RECEIPTS_DAYS: num(30),
  /** Days delivery events are kept (keyed hashes; the soft-bounce rule looks back SOFT_BOUNCE_WINDOW_DAYS). */
  RETENTION_DELIVERY_EVENTS_DAYS: num(90),
  /** Days the audit log is kept (key ids and keyed hashes, never addresses). */
  RETENTION_AUDIT_DAYS: num(365),
  /** Days outbound webhook attempts and finished deliveries are kept (no addresses: payloads are built when sent). */
  RETENTION_WEBHOOK_DELIVERIES_DAYS: num(30),
  /** Outbound webhooks may target `http:` and loopback or private addresses (production refuses them otherwise). */
  WEBHOOK_ALLOW_PRIVATE: flag,
  /** How long one webhook delivery may take, connection to the end of the answer's excerpt. */
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  /** A webhook whose every attempt failed for this long is disabled (fractions allowed). */
  WEBHOOK_DISABLE_AFTER_DAYS: num(5),
  /** Operator console: a session ends after this many idle minutes, and this many hours after sign-in whatever the activity. */
  ADMIN_SESSION_IDLE_MINUTES: num(30),
  ADMIN_SESSION_MAX_HOURS: num(12),
});

export type Env = z.input<typeof envSchema>;
export type Config = z.output<typeof envSchema> & {
  production: boolean;
  mailTransport: 'resend' | 'smtp' | 'ses' | 'log';
};

export class ConfigError extends Error {}

/** Validates the environment and applies the production rules; throws ConfigError with every problem. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid environment:\n${lines.join('\n')}`);
  }
  const c = parsed.data;
  const production = c.NODE_ENV === 'production';
  const problems: string[] = [];
  for (const name of ['TOKEN_SECRET', 'TOKEN_SECRET_PREVIOUS'] as const) {
    const v = c[name];
    if (v !== undefined && new TextEncoder().encode(v).length < 32) problems.push(`${name} must be at least 32 bytes`);
  }
  if (production && !c.TOKEN_SECRET) problems.push('TOKEN_SECRET is required when NODE_ENV=production');
  let mailTransport = c.MAIL_TRANSPORT ?? (c.RESEND_API_KEY ? 'resend' : c.SMTP_URL && production ? 'smtp' : undefined);
  if (!mailTransport) {
    if (production) problems.push('set MAIL_TRANSPORT (resend, smtp or ses; log only when chosen explicitly) in production');
    mailTransport = 'log';
  }
  if (mailTransport === 'resend' && !c.RESEND_API_KEY) problems.push('MAIL_TRANSPORT=resend needs RESEND_API_KEY');
  if (mailTransport === 'smtp' && !c.SMTP_URL) problems.push('MAIL_TRANSPORT=smtp needs SMTP_URL');
  if (mailTransport === 'ses') {
    const missing = (['AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'] as const).filter((name) => !c[name]);
    if (missing.length) problems.push(`MAIL_TRANSPORT=ses needs ${missing.join(', ')}`);
  }
  if (c.ADMIN_TOKEN !== undefined) {
    // The same rule as the auth middleware's, so a token the server starts with is one it accepts.
    const min = production ? ADMIN_TOKEN_MIN.production : ADMIN_TOKEN_MIN.development;
    if (!BEARER_KEY.test(c.ADMIN_TOKEN)) problems.push('ADMIN_TOKEN must be visible ASCII characters without spaces, at most 200 (it is sent as "Authorization: Bearer <token>")');
    else if (c.ADMIN_TOKEN.length < min) problems.push(`ADMIN_TOKEN must be at least ${min} characters${production ? ' in production' : ''}`);
  }
  if (problems.length) throw new ConfigError(`invalid environment:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  return { ...c, production, mailTransport };
}
