import Database from 'better-sqlite3';
import { openSqlite } from '../../src/db/sqlite';
import { ensureDefaultList } from '../../src/db/queries/lists';
import type { HashKey } from '../../src/domain/ids';
import { installationHashKey } from '../../src/services/installation';
import { mailboxHashesMany } from '../../src/services/mailbox';

export type SeedDatabase = Database.Database & { hashKey: HashKey };

/**
 * A migrated database file with the default list, opened with plain better-sqlite3 for bulk
 * seeding: one transaction, prepared statements. The triggers still run for every row, so the
 * counters, daily stats and the changes feed are what the app itself would have written.
 */
export async function migratedDatabase(path: string): Promise<SeedDatabase> {
  const handle = openSqlite(path);
  await ensureDefaultList(handle.db, Date.now());
  // The installation's key of the keyed address hashes (made here if no server has run yet), so the
  // rows carry their mailbox hash as a signup writes it and the server has nothing to fill in at start.
  const hashKey = await installationHashKey(handle.db);
  handle.close();
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  return Object.assign(db, { hashKey });
}

const PROVIDERS = ['gmail', 'outlook', 'yahoo', 'icloud', 'proton', 'other'];

/**
 * Inserts `count` pending signups on list 1 whose signup ids are `${prefix}${i}`, as signups (the
 * funnel counts them, spread over the providers) whose first mail has left.
 */
export function insertPending(db: SeedDatabase, count: number, prefix: string, now = Date.now()) {
  const insert = db.prepare(
    `INSERT INTO subscriptions (list_id, email, key, mailbox_hash, state, signup_id, unsub_token, created_at, updated_at, expires_at, signup_ip, public_id, signed_up_at, provider, first_mail_at)
     VALUES (1, ?, ?, ?, 'pending', ?, ?, ?, ?, ?, '127.0.0.1', 'sub_' || ?, ?, ?, ?)`,
  );
  db.transaction(() => {
    for (let i = 0; i < count; i++) {
      const email = `${prefix}${i}@example.com`;
      const [{ mailboxHash }] = mailboxHashesMany(db, [email]);
      insert.run(email, email, mailboxHash, `${prefix}${i}`, `u_${prefix}${i}`, now, now, now + 48 * 3600_000, `${prefix}${i}`, now, PROVIDERS[i % PROVIDERS.length], now);
    }
  })();
}

/**
 * A database of `count` confirmed subscribers on the default list (pending, then confirmed in one
 * UPDATE, so the triggers write the counters, the daily rows and a `confirmed` event each, as the app
 * would); answers the seconds it took.
 */
export async function seedConfirmed(path: string, count: number): Promise<number> {
  const started = Date.now();
  const db = await migratedDatabase(path);
  insertPending(db, count, 's', Date.now() - 3600_000);
  db.prepare(`UPDATE subscriptions SET state = 'confirmed', confirmed_at = updated_at, confirm_seq = id, expires_at = NULL WHERE state = 'pending'`).run();
  db.close();
  return (Date.now() - started) / 1000;
}
