import { DrizzleQueryError } from 'drizzle-orm/errors';
import type { LogFields, Logger } from './deps';

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 } as const;
export type LogLevel = keyof typeof LEVELS;

/** Keys whose values are never written, whatever a caller passes. */
const SECRET_KEYS = /token|secret|password|authorization|api[_-]?key|signature/i;

function redact(fields: LogFields): LogFields {
  const out: LogFields = {};
  for (const [k, v] of Object.entries(fields)) out[k] = SECRET_KEYS.test(k) ? '[redacted]' : v;
  return out;
}

/** JSON lines, one per event, to the given writer (stdout by default). */
export function jsonLogger(level: LogLevel, write: (line: string) => void = (l) => console.log(l)): Logger {
  const min = LEVELS[level];
  const emit = (lvl: Exclude<LogLevel, 'silent'>) => (msg: string, fields: LogFields = {}) => {
    if (LEVELS[lvl] < min) return;
    write(JSON.stringify({ time: new Date().toISOString(), level: lvl, msg, ...redact(fields) }));
  };
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
}

/**
 * An error as text fit for logs: drizzle's query errors carry the bound parameters (tokens,
 * addresses, the dev secret) in their message and stack, so for those only the driver's cause is kept.
 */
export function safeErrorText(err: unknown): string {
  const cause = (err as { cause?: unknown })?.cause;
  if (err instanceof DrizzleQueryError) return cause instanceof Error ? `${cause.name}: ${cause.message}` : 'query failed';
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
