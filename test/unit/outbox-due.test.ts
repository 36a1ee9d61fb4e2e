import { describe, expect, it } from 'vitest';
import { dueMails } from '../../src/db/queries/outbox';
import { ensureDefaultList } from '../../src/db/queries/lists';
import { writeSignup } from '../../src/db/queries/subscriptions';
import { openSqlite } from '../../src/db/sqlite';
import { signupWrite } from '../support/outbox';

const T0 = Date.UTC(2026, 11, 1);

/** A signup whose confirmation mail is queued to go at `mailAt`. */
const signup = (listId: number, n: number, mailAt: number) => signupWrite(`due${n}@example.com`, { listId, now: T0 + n, mailAt, queueMail: true });

describe('the due mails a new batch takes', () => {
  it('are the first to have become due, whatever order they were queued in, each with its list', async () => {
    const h = openSqlite(':memory:');
    await ensureDefaultList(h.db, T0);
    const listId = (h.sqlite.prepare("SELECT id FROM lists WHERE slug = 'newsletter'").get() as { id: number }).id;
    // Queued first but held back (the list-wide ceiling's delay), then three that may go at once.
    await writeSignup(h.atomic, signup(listId, 0, T0 + 60_000));
    for (const n of [1, 2, 3]) await writeSignup(h.atomic, signup(listId, n, T0 + n));

    expect((await dueMails(h.db, T0 + 10, 2)).map((m) => m.to)).toEqual(['due1@example.com', 'due2@example.com']);
    const all = await dueMails(h.db, T0 + 60_000, 10);
    expect(all.map((m) => m.to)).toEqual(['due1@example.com', 'due2@example.com', 'due3@example.com', 'due0@example.com']);
    expect(all.every((m) => m.list?.slug === 'newsletter' && m.subscription?.state === 'pending')).toBe(true);
    h.close();
  });

  it('are read from the due index in its order: a backlog is never read whole to take a batch', async () => {
    const h = openSqlite(':memory:');
    const statements: string[] = [];
    const prepare = h.sqlite.prepare.bind(h.sqlite);
    h.sqlite.prepare = ((source: string) => {
      statements.push(source);
      return prepare(source);
    }) as typeof h.sqlite.prepare;
    await dueMails(h.db, T0, 100);
    const select = statements.find((s) => /from "outbox"/i.test(s))!;
    const plan = (prepare(`EXPLAIN QUERY PLAN ${select}`).all(...(select.match(/\?/g) ?? []).map(() => 0)) as Array<{ detail: string }>).map((r) => r.detail);
    expect(plan.join('\n')).toMatch(/outbox USING INDEX outbox_due/);
    // A temporary B-tree would mean every due mail is read, joined and sorted before the first is taken.
    expect(plan.join('\n')).not.toMatch(/TEMP B-TREE/);
    h.close();
  });
});
