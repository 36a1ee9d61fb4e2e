import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { prepareInstallation } from '../../src/services/installation';
import { loadConfig } from '../../src/config';
import { openSqlite } from '../../src/db/sqlite';
import { jsonLogger } from '../../src/logger';
import { testClock } from '../support/app';

const dir = mkdtempSync(join(tmpdir(), 'listgate-boot-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const claims = { signup: 'sig_1', list: 'newsletter', purpose: 'confirm' as const };

/** One start of the service on the database file at `path`: the tokens it would use, and what it logged. */
async function boot(path: string, env: Record<string, string> = {}) {
  const logs: string[] = [];
  const sqlite = openSqlite(path);
  try {
    const { tokens } = await prepareInstallation(sqlite.db, loadConfig(env), testClock(), jsonLogger('info', (l) => logs.push(l)));
    const lists = sqlite.sqlite.prepare('SELECT slug FROM lists').all();
    return { tokens, logs, lists };
  } finally {
    sqlite.close();
  }
}

describe('start-up', () => {
  it('without TOKEN_SECRET generates a development secret, warns, and keeps it across restarts', async () => {
    const path = join(dir, 'dev.db');
    const first = await boot(path);
    expect(first.logs.join('\n')).toContain('TOKEN_SECRET is not set');
    expect(first.lists).toEqual([{ slug: 'newsletter' }]);
    const token = await first.tokens.sign(claims, 3600);
    const second = await boot(path);
    expect(await second.tokens.verify(token, 'confirm')).toMatchObject({ ok: true, claims });
    expect(second.lists).toEqual([{ slug: 'newsletter' }]);
    const elsewhere = await boot(join(dir, 'other.db'));
    expect((await elsewhere.tokens.verify(token, 'confirm')).ok).toBe(false);
  });

  it('rotates keys through the environment: TOKEN_SECRET_PREVIOUS still verifies, removing it retires the key', async () => {
    const path = join(dir, 'rotate.db');
    const oldKey = 'the-old-key-the-old-key-the-old-key';
    const newKey = 'the-new-key-the-new-key-the-new-key';
    const before = await boot(path, { TOKEN_SECRET: oldKey });
    expect(before.logs.join('\n')).not.toContain('TOKEN_SECRET is not set');
    const token = await before.tokens.sign(claims, 3600);
    expect((await (await boot(path, { TOKEN_SECRET: newKey, TOKEN_SECRET_PREVIOUS: oldKey })).tokens.verify(token, 'confirm')).ok).toBe(true);
    expect(await (await boot(path, { TOKEN_SECRET: newKey })).tokens.verify(token, 'confirm')).toEqual({ ok: false, reason: 'invalid' });
  });

  it('warns when a real transport would send from the placeholder sender', async () => {
    const warned = async (env: Record<string, string>) => (await boot(join(dir, 'from.db'), env)).logs.join('\n').includes('MAIL_FROM has no real domain');
    expect(await warned({ RESEND_API_KEY: 're_x' })).toBe(true);
    expect(await warned({ RESEND_API_KEY: 're_x', MAIL_FROM: 'News <news@example.org>' })).toBe(false);
    expect(await warned({})).toBe(false); // the log transport prints mail; any sender will do
  });
});
