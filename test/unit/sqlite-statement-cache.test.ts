import { describe, expect, it } from 'vitest';
import { openSqlite } from '../../src/db/sqlite';

describe('the Node statement cache', () => {
  it('hands out the same compiled statement for the same SQL text', () => {
    const { sqlite, close } = openSqlite(':memory:');
    expect(sqlite.prepare('SELECT 1 AS one')).toBe(sqlite.prepare('SELECT 1 AS one'));
    close();
  });

  it('answers rows as objects again after a caller switched the statement to raw or pluck mode', () => {
    const { sqlite, close } = openSqlite(':memory:');
    expect(sqlite.prepare('SELECT 1 AS one, 2 AS two').raw().get()).toEqual([1, 2]);
    expect(sqlite.prepare('SELECT 1 AS one, 2 AS two').pluck().get()).toBe(1);
    expect(sqlite.prepare('SELECT 1 AS one, 2 AS two').get()).toEqual({ one: 1, two: 2 });
    close();
  });

  it('lets the same query run while an earlier run of it is still being iterated', () => {
    const { sqlite, close } = openSqlite(':memory:');
    sqlite.exec('CREATE TABLE t (n INTEGER); INSERT INTO t VALUES (1), (2), (3)');
    const seen: number[] = [];
    for (const row of sqlite.prepare('SELECT n FROM t ORDER BY n').iterate() as Iterable<{ n: number }>) {
      seen.push(row.n, (sqlite.prepare('SELECT n FROM t ORDER BY n').all() as Array<{ n: number }>).length);
    }
    expect(seen).toEqual([1, 3, 2, 3, 3, 3]);
    close();
  });
});
