import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSqlite } from '../../src/db/sqlite';
import { listgate } from '../support/cli';
import { parseCsv } from '../support/operator';
import { scratch } from '../support/scratch';
import { startNodeEntry } from '../support/server-process';

const temp = scratch('listgate-cli-db');
const tempDir = () => temp.dir();

describe('the CLI on the database at DATABASE_PATH', { timeout: 120_000 }, () => {
  it('refuses every command that reads or changes a database that does not exist: exit 1, nothing created', async () => {
    const dir = tempDir();
    const DATABASE_PATH = join(dir, 'typo', 'listgate.db');
    const commands = [
      ['lists', 'list'],
      ['lists', 'show', 'newsletter'],
      ['lists', 'update', 'newsletter', '--name', 'X'],
      ['lists', 'delete', 'newsletter', '--yes'],
      ['keys', 'list'],
      ['keys', 'revoke', 'key_x'],
      ['export', 'newsletter'],
      ['embed', 'newsletter'],
      ['backup', join(dir, 'copy.db')],
      ['doctor'],
    ];
    for (const args of commands) {
      const r = await listgate({ DATABASE_PATH }, ...args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr + r.stdout, args.join(' ')).toContain(`no database at ${DATABASE_PATH}`);
    }
    expect(readdirSync(dir)).toEqual([]);
  });

  it('exits 0 for success, 1 for a failure and 2 for a usage error, alike across commands', async () => {
    const DATABASE_PATH = join(tempDir(), 'listgate.db');
    openSqlite(DATABASE_PATH).close();
    const codes = async (...args: string[]) => (await listgate({ DATABASE_PATH }, ...args)).code;
    expect(await codes('lists', 'list')).toBe(0);
    expect(await codes('--version')).toBe(0);
    expect(await codes('--help')).toBe(0);
    // An unknown list is a failure (1) for every command that names one.
    for (const args of [['embed', 'nosuch'], ['export', 'nosuch'], ['lists', 'show', 'nosuch'], ['lists', 'update', 'nosuch', '--name', 'x'], ['lists', 'delete', 'nosuch', '--yes']]) {
      expect(await codes(...args), args.join(' ')).toBe(1);
    }
    // Usage (2): unknown commands and options, missing arguments, values that are not allowed.
    for (const args of [['nosuch'], ['export'], ['export', 'x', '--format', 'xml'], ['lists', 'create', 'Bad_Slug', '--name', 'x'], ['embed', 'Bad_Slug'], ['lists', 'list', '--bogus']]) {
      expect(await codes(...args), args.join(' ')).toBe(2);
    }
  });

  it('writes the links the server writes: the PUBLIC_URL the server runs with, whatever the shell says', async () => {
    const DATABASE_PATH = join(tempDir(), 'listgate.db');
    const server = temp.track(startNodeEntry({ PORT: '0', DATABASE_PATH, PUBLIC_URL: 'https://lists.example.net' }));
    const base = `http://127.0.0.1:${(await server.waitFor(/listening on http:\/\/127\.0\.0\.1:(\d+)/))[1]}`;
    await fetch(`${base}/lists/newsletter/subscribe`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"email":"reader@example.com"}' });
    const [, token] = await server.waitFor(/https:\/\/lists\.example\.net\/confirm\?token=([\w.-]+)/);
    expect((await fetch(`${base}/confirm`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }) })).status).toBe(200);

    for (const env of [{}, { PUBLIC_URL: 'http://localhost:3000' }] as Array<Record<string, string>>) {
      const r = await listgate({ DATABASE_PATH, ...env }, 'export', 'newsletter');
      expect(r.code, r.stderr).toBe(0);
      const [header, row] = parseCsv(r.stdout);
      expect(row[header.indexOf('unsubscribe_url')]).toMatch(/^https:\/\/lists\.example\.net\/unsubscribe\?token=/);
      if ('PUBLIC_URL' in env) expect(r.stderr).toContain('links use https://lists.example.net');
    }
    const embed = await listgate({ DATABASE_PATH }, 'embed', 'newsletter');
    expect(embed.stdout).toContain('action="https://lists.example.net/lists/newsletter/subscribe"');
    expect(existsSync(DATABASE_PATH)).toBe(true);
  });
});
