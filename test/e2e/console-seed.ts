import type { RunningServer } from './support';

const DAY = 86_400_000;
const PROVIDERS = ['gmail', 'gmail', 'gmail', 'outlook', 'outlook', 'yahoo', 'icloud', 'proton', 'other', 'other'];

/**
 * Forty-five days of a list's life, written as the app would write it: rows inserted pending, then
 * confirmed or unsubscribed at their own times, so the triggers fill the counters, the daily stats,
 * the funnel and the changes feed. Deliveries and bounces are added to the daily rows. Plus one
 * real signup (grace@example.com, through the public endpoint, so its hashes are the server's own),
 * a second list, and two suppressions.
 */
export async function seedConsoleData(server: RunningServer) {
  const db = server.db;
  const now = Date.now();
  const res = await fetch(`${server.url}/lists/newsletter/subscribe`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'grace@example.com', name: 'Grace Hopper' }) });
  if (res.status !== 202) throw new Error(`seed signup: ${res.status}`);

  const list = (db.prepare("SELECT id FROM lists WHERE slug = 'newsletter'").get() as { id: number }).id;
  const insert = db.prepare(
    `INSERT INTO subscriptions (list_id, email, key, mailbox_hash, state, signup_id, unsub_token, public_id, created_at, updated_at, signed_up_at, provider, signup_ip)
     VALUES (?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?, '192.0.2.1')`,
  );
  const firstMail = db.prepare('UPDATE subscriptions SET first_mail_at = ? WHERE id = ?');
  const confirm = db.prepare("UPDATE subscriptions SET state = 'confirmed', confirmed_at = ?, updated_at = ?, confirm_seq = ? WHERE id = ?");
  const leave = db.prepare("UPDATE subscriptions SET state = 'unsubscribed', unsubscribed_at = ?, updated_at = ? WHERE id = ?");
  db.transaction(() => {
    for (let i = 0; i < 1500; i++) {
      const r = ((i * 7919) % 1000) / 1000;
      const daysAgo = Math.floor(45 * (i / 1500) ** 1.4);
      const at = now - daysAgo * DAY - Math.floor(r * 0.8 * DAY) - 3600_000;
      const email = `reader${i}@example.com`;
      const id = Number(insert.run(list, email, email, `seed-${i}`, `seed-signup-${i}`, `u_seed${i}`, `sub_seed${i}`, at, at, at, PROVIDERS[i % PROVIDERS.length]).lastInsertRowid);
      firstMail.run(at + 20_000, id);
      if (r < 0.78) {
        const confirmedAt = Math.min(now - 60_000, at + Math.floor(r * 4 * 3600_000));
        confirm.run(confirmedAt, confirmedAt, 1_000_000 + i, id);
        if (i % 23 === 0) leave.run(Math.min(now - 30_000, confirmedAt + 2 * DAY), Math.min(now - 30_000, confirmedAt + 2 * DAY), id);
      }
    }
    // Mail that reached a verdict, and a few bounces and complaints, per day with signups.
    db.prepare(
      `UPDATE list_daily SET delivered = signups * 3 + 40, hard_bounces = (day % 5 = 0) + (day % 7 = 0), complaints = (day % 11 = 0)
       WHERE list_id = ?`,
    ).run(list);
    db.prepare("UPDATE subscriptions SET state = 'confirmed', confirmed_at = ?, updated_at = ?, confirm_seq = 9999999 WHERE email = 'grace@example.com'").run(now, now);
    db.prepare("INSERT INTO lists (slug, name, language, created_at, updated_at) VALUES ('shuukan', '週刊ニュース', 'ja', ?, ?)").run(now, now);
    db.prepare("INSERT INTO suppressions (hash, email, reason, source, created_at) VALUES ('seedhash1', 'bounce@example.com', 'hard_bounce', 'resend', ?), ('seedhash2', 'angry@example.com', 'complaint', 'ses', ?)").run(now - DAY, now);
  })();
}
