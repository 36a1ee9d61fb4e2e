import type { Command } from 'commander';
import { loadConfig, type Config } from '../config';
import type { Clock } from '../deps';
import { openSqlite, type SqliteHandle } from '../db/sqlite';

export const systemClock: Clock = { now: () => Date.now() };

/** The database the server uses (DATABASE_PATH), migrated; closed after `work`, whatever happens. */
export async function withDatabase<T>(work: (h: SqliteHandle, config: Config) => Promise<T>): Promise<T> {
  const config = loadConfig(process.env);
  const handle = openSqlite(config.DATABASE_PATH);
  try {
    return await work(handle, config);
  } finally {
    handle.close();
  }
}

/** A usage error: commander prints it with the command's help hint and the CLI exits 2. */
export function usage(cmd: Command, message: string): never {
  cmd.error(`error: ${message}`, { exitCode: 2, code: 'commander.usage' });
}

/** A failure that is not the caller's syntax (unknown list, existing file): exit 1. */
export class CliFailure extends Error {}

export const out = (text: string) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);

/** Plain aligned columns for people; `--json` gives machines the same data. */
export function table(rows: string[][]): string {
  if (rows.length === 0) return '';
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((v, i) => (i === r.length - 1 ? v : v.padEnd(widths[i]))).join('  ')).join('\n');
}

export const collect = (value: string, previous: string[]) => [...previous, ...value.split(',').map((s) => s.trim()).filter(Boolean)];
