import { DrizzleQueryError } from 'drizzle-orm/errors';
import type { LogFields, Logger } from './deps';

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 } as const;
export type LogLevel = keyof typeof LEVELS;
/** `json`: one JSON object per line, for log shippers. `pretty`: for a person at a terminal. */
export type LogFormat = 'json' | 'pretty';

export type LoggerOptions = {
  format?: LogFormat;
  /**
   * Leave subscriber addresses in clear text. Only the development log transport does: the mail it
   * prints is the delivery. Everywhere else addresses never reach a log line.
   */
  clearAddresses?: boolean;
};

/** Keys whose values are never written, whatever a caller passes. */
const SECRET_KEYS = /token|secret|password|authorization|api[_-]?key|signature/i;

// Anything shaped like local@domain.tld, also inside provider replies ("550 5.1.1 <bob@example.com>").
const ADDRESS = /[^\s@<>()[\]"',;:]+@[^\s@<>()[\]"',;:]+\.[^\s@<>()[\]"',;:]*[^\s@<>()[\]"',;:.]/g;

/** Replaces every address in `text` with `[email]`. */
export function redactAddresses(text: string): string {
  return text.includes('@') ? text.replace(ADDRESS, '[email]') : text;
}

function clean(value: unknown, addresses: boolean, depth = 0): unknown {
  if (typeof value === 'string') return addresses ? value : redactAddresses(value);
  if (value instanceof Error) return clean(`${value.name}: ${value.message}`, addresses, depth);
  if (depth > 4 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => clean(v, addresses, depth + 1));
  const out: LogFields = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEYS.test(k) ? '[redacted]' : clean(v, addresses, depth + 1);
  return out;
}

/** `k=v` pairs for people; multi-line text (a mail's body) goes indented below the line. */
function pretty(time: string, level: string, msg: string, fields: LogFields): string {
  const inline: string[] = [];
  const blocks: string[] = [];
  for (const [k, v] of Object.entries(fields)) {
    const text = typeof v === 'string' ? v : JSON.stringify(v);
    if (typeof v === 'string' && v.includes('\n')) blocks.push(v.replace(/\s+$/, '').replace(/^/gm, '    '));
    else inline.push(`${k}=${typeof v === 'string' && /[\s"=]/.test(text) ? JSON.stringify(text) : text}`);
  }
  return [`${time.slice(11, 19)} ${level.padEnd(5)} ${msg}${inline.length ? `  ${inline.join(' ')}` : ''}`, ...blocks].join('\n');
}

/**
 * The one logger: every line the service writes goes through it (JSON lines by default, one per
 * event), with secrets and subscriber addresses redacted from every field.
 */
export function jsonLogger(level: LogLevel, write: (line: string) => void = (l) => console.log(l), opts: LoggerOptions = {}): Logger {
  const min = LEVELS[level];
  const addresses = opts.clearAddresses ?? false;
  const emit = (lvl: Exclude<LogLevel, 'silent'>) => (msg: string, fields: LogFields = {}) => {
    if (LEVELS[lvl] < min) return;
    const time = new Date().toISOString();
    const text = clean(msg, addresses) as string;
    const safe = clean(fields, addresses) as LogFields;
    write(opts.format === 'pretty' ? pretty(time, lvl, text, safe) : JSON.stringify({ time, level: lvl, msg: text, ...safe }));
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
