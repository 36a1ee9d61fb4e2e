import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { migrationsFolder, openSqlite } from '../../src/db/sqlite';
import { addressHash } from '../../src/domain/ids';
import { jsonLogger } from '../../src/logger';
import { prepareInstallation } from '../../src/services/installation';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A database as the release before mailboxes and ids left it: migrations up to 0004 only. */
function oldDatabase(): string {
  const dir = mkdtempSync(join(tmpdir(), 'listgate-upgrade-'));
  dirs.push(dir);
  const folder = join(dir, 'drizzle');
  cpSync(migrationsFolder, folder, { recursive: true });
  const journal = JSON.parse(readFileSync(join(folder, 'meta/_journal.json'), 'utf8'));
  journal.entries = journal.entries.filter((e: { idx: number }) => e.idx <= 4);
  writeFileSync(join(folder, 'meta/_journal.json'), JSON.stringify(journal));
  const path = join(dir, 'old.db');
  const sqlite = new Database(path);
  migrate(drizzle(sqlite), { migrationsFolder: folder });
  sqlite.exec(`
    INSERT INTO lists (slug, name, created_at, updated_at) VALUES ('newsletter', 'Newsletter', 0, 0);
    INSERT INTO subscriptions (list_id, email, key, state, signup_id, unsub_token, created_at, updated_at, confirmed_at, confirm_seq)
      VALUES (1, 'J.Doe+old@gmail.com', 'j.doe+old@gmail.com', 'confirmed', 'sg1', 'u_1', 0, 0, 0, 1),
             (1, 'plain@example.com', 'plain@example.com', 'confirmed', 'sg2', 'u_2', 0, 0, 0, 2);
    INSERT INTO addresses (key, mail1_at) VALUES ('plain@example.com', ${Date.now()});
  `);
  sqlite.close();
  return path;
}

describe('upgrading a database from before mailboxes and ids', () => {
  it('gives every subscription an id and its mailbox hash, and re-keys the cap rows by hash, before serving', async () => {
    const path = oldDatabase();
    const handle = openSqlite(path);
    try {
      const config = loadConfig({ DATABASE_PATH: path, TOKEN_SECRET: 'upgrade-secret-upgrade-secret-upgrade!', LOG_LEVEL: 'silent' });
      const { hashKey } = await prepareInstallation(handle.db, config, { now: () => Date.now() }, jsonLogger('silent'));
      const rows = handle.sqlite.prepare('SELECT email, public_id, mailbox_hash FROM subscriptions ORDER BY id').all() as Array<{ email: string; public_id: string; mailbox_hash: string }>;
      expect(rows.map((r) => r.public_id)).toEqual([expect.stringMatching(/^sub_[0-9a-f]{24}$/), expect.stringMatching(/^sub_[0-9a-f]{24}$/)]);
      expect(rows[0].mailbox_hash).toBe(await addressHash(hashKey, 'jdoe@gmail.com'));
      expect(rows[1].mailbox_hash).toBe(await addressHash(hashKey, 'plain@example.com'));
      // The cap row no longer holds the address in clear.
      expect(handle.sqlite.prepare('SELECT key FROM addresses').all()).toEqual([{ key: await addressHash(hashKey, 'plain@example.com') }]);
      expect(handle.sqlite.prepare("SELECT count(*) AS n FROM subscriptions WHERE mailbox_hash = ''").get()).toEqual({ n: 0 });
    } finally {
      handle.close();
    }
  });
});
