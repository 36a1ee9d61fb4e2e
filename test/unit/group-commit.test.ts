import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { groupCommit } from '../../src/db/group-commit';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A WAL file with one table, a writer with its COMMITs counted, and a second connection to look from. */
function database(maxMs?: number) {
  const dir = mkdtempSync(join(tmpdir(), 'listgate-group-'));
  dirs.push(dir);
  const path = join(dir, 'g.db');
  const writer = new Database(path);
  writer.pragma('journal_mode = WAL');
  writer.pragma('foreign_keys = ON');
  writer.exec(`
    CREATE TABLE parent (id INTEGER PRIMARY KEY);
    CREATE TABLE rows (name TEXT PRIMARY KEY, parent INTEGER REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED);
    CREATE TABLE doom (x);
    CREATE TRIGGER doom AFTER INSERT ON doom BEGIN SELECT RAISE(ROLLBACK, 'abandoned'); END;
  `);
  let commits = 0;
  const prepare = writer.prepare.bind(writer);
  writer.prepare = ((source: string) => {
    const statement = prepare(source);
    if (source !== 'COMMIT') return statement;
    const run = statement.run.bind(statement);
    return Object.assign(Object.create(statement), { run: () => (commits++, run()) });
  }) as typeof writer.prepare;
  const group = groupCommit(writer, { maxMs });
  const reader = new Database(path, { readonly: true });
  const names = () => (reader.prepare('SELECT name FROM rows ORDER BY name').all() as Array<{ name: string }>).map((r) => r.name);
  const insert = (name: string, parent: number | null = null) => () => writer.prepare('INSERT INTO rows (name, parent) VALUES (?, ?)').run(name, parent).changes;
  return { writer, group, names, insert, commits: () => commits };
}

describe('group commit', () => {
  it('writes the members of one turn in one transaction, each answered only once it is committed', async () => {
    const d = database();
    const seenAtAnswer: string[][] = [];
    const answers = Array.from({ length: 10 }, (_, i) => d.group(d.insert(`r${i}`)).then((changes) => (seenAtAnswer.push(d.names()), changes)));
    // Nothing is visible before the turn ends.
    expect(d.names()).toEqual([]);
    expect(await Promise.all(answers)).toEqual(Array(10).fill(1));
    expect(d.commits()).toBe(1);
    // Another connection already saw every row when the first member was answered.
    expect(seenAtAnswer[0]).toHaveLength(10);
    // The next turn is a transaction of its own.
    await d.group(d.insert('later'));
    expect(d.commits()).toBe(2);
  });

  it('rejects a failing member alone; the others commit', async () => {
    const d = database();
    const results = await Promise.allSettled([d.group(d.insert('a')), d.group(d.insert('a')), d.group(d.insert('b'))]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason.code).toBe('SQLITE_CONSTRAINT_PRIMARYKEY');
    expect(d.names()).toEqual(['a', 'b']);
  });

  it('runs the rest again when a member makes SQLite abandon the whole transaction', async () => {
    const d = database();
    const results = await Promise.allSettled([
      d.group(d.insert('before')),
      d.group(() => d.writer.prepare('INSERT INTO doom VALUES (1)').run()),
      d.group(d.insert('after')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(String((results[1] as PromiseRejectedResult).reason)).toContain('abandoned');
    expect(d.names()).toEqual(['after', 'before']);
    expect(d.writer.inTransaction).toBe(false);
  });

  it('rejects every member of a transaction whose COMMIT fails, and stores none of them', async () => {
    const d = database();
    // A deferred foreign key is checked at COMMIT: the member itself runs fine.
    const results = await Promise.allSettled([d.group(d.insert('x')), d.group(d.insert('orphan', 42)), d.group(d.insert('y'))]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect((results[0] as PromiseRejectedResult).reason.code).toBe('SQLITE_CONSTRAINT_FOREIGNKEY');
    expect(d.names()).toEqual([]);
    expect(d.writer.inTransaction).toBe(false);
    // The next turn works again.
    await d.group(d.insert('z'));
    expect(d.names()).toEqual(['z']);
  });

  it('stops taking members once the transaction has run its time; the rest commit in the next turn', async () => {
    const d = database(5);
    const slow = (name: string) => () => {
      const until = performance.now() + 10;
      while (performance.now() < until);
      return d.insert(name)();
    };
    let firstAnswered: string[] = [];
    const answers = [d.group(slow('s1')).then(() => (firstAnswered = d.names())), d.group(slow('s2')), d.group(slow('s3'))];
    await Promise.all(answers);
    expect(firstAnswered).toEqual(['s1']);
    expect(d.commits()).toBe(3);
    expect(d.names()).toEqual(['s1', 's2', 's3']);
  });

  it('answers every member with the BEGIN error when the write lock is held elsewhere', async () => {
    const d = database();
    d.writer.pragma('busy_timeout = 0');
    const holder = new Database(d.writer.name);
    holder.exec('BEGIN IMMEDIATE');
    try {
      const results = await Promise.allSettled([d.group(d.insert('a')), d.group(d.insert('b'))]);
      expect(results.map((r) => r.status === 'rejected' && (r.reason as { code: string }).code)).toEqual(['SQLITE_BUSY', 'SQLITE_BUSY']);
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
    expect(await d.group(d.insert('c'))).toBe(1);
  });
});
