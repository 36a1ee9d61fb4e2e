import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { loadConfig, type Config } from '../config';
import type { Clock, Db } from '../deps';
import { openSqlite, type SqliteHandle } from '../db/sqlite';
import { recordedPublicUrl } from '../services/installation';

export const systemClock: Clock = { now: () => Date.now() };

/**
 * The database the server uses (DATABASE_PATH), migrated; closed after `work`, whatever happens.
 * A database that does not exist is refused (exit 1, nothing created): a mistyped path must not
 * quietly become a new, empty database. Only commands that create something (`create: true`) may
 * make the file.
 */
export async function withDatabase<T>(work: (h: SqliteHandle, config: Config) => Promise<T>, opts: { create?: boolean } = {}): Promise<T> {
  const config = loadConfig(process.env);
  requireDatabase(config.DATABASE_PATH, opts);
  const handle = openSqlite(config.DATABASE_PATH);
  try {
    return await work(handle, config);
  } finally {
    handle.close();
  }
}

/** Refuses a missing database file (see withDatabase). */
export function requireDatabase(path: string, opts: { create?: boolean } = {}): void {
  if (opts.create || path === ':memory:' || existsSync(path)) return;
  throw new CliFailure(`no database at ${path}: start the server once to create it, or set DATABASE_PATH to the server's database`);
}

/**
 * The origin of the links the CLI writes: the PUBLIC_URL the server recorded in this database (the
 * origin of the links in its mail), else the shell's PUBLIC_URL. A shell that says otherwise than
 * the server is told so on stderr.
 */
export async function linkOrigin(db: Db, config: Pick<Config, 'PUBLIC_URL'>, env: Record<string, string | undefined> = process.env): Promise<string> {
  const recorded = await recordedPublicUrl(db);
  if (!recorded) return config.PUBLIC_URL;
  if (env.PUBLIC_URL && config.PUBLIC_URL !== recorded) {
    process.stderr.write(`note: links use ${recorded}, the PUBLIC_URL the server runs with (the shell's PUBLIC_URL ${config.PUBLIC_URL} is ignored)\n`);
  }
  return recorded;
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

/** A repeatable, comma-separated option's values (undefined until it is given). */
export const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), ...value.split(',').map((s) => s.trim()).filter(Boolean)];

/**
 * Asks a person to type `expected` before something that cannot be undone. `--yes` skips the
 * question; without a terminal to ask on (a script) the command refuses unless `--yes` is given.
 */
export async function confirmOrRefuse(cmd: Command, yes: boolean | undefined, question: string, expected: string): Promise<void> {
  if (yes) return;
  if (!process.stdin.isTTY) usage(cmd, `this cannot be undone: pass --yes to do it without a question (no terminal to ask on)`);
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`${question}\nType "${expected}" to go on: `);
    if (answer.trim() !== expected) throw new CliFailure('not confirmed; nothing was changed');
  } finally {
    rl.close();
  }
}
