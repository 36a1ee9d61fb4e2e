import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { startCheckpointer } from '../../src/db/checkpointer';
import { openSqlite } from '../../src/db/sqlite';
import { scratch } from '../support/scratch';

const tmp = scratch('checkpointer');

/** Writes `rows` rows of 2 KiB in transactions of 100: about a page each, far below the 10,000-page autocheckpoint. */
function write(h: ReturnType<typeof openSqlite>, rows: number) {
  h.sqlite.exec('CREATE TABLE IF NOT EXISTS filler (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
  const insert = h.sqlite.prepare('INSERT INTO filler (body) VALUES (?)');
  for (let i = 0; i < rows; i += 100) h.sqlite.transaction(() => { for (let j = 0; j < 100; j++) insert.run('x'.repeat(2048)); })();
}

describe('checkpoints from a thread of their own', () => {
  it('copies committed pages into the database file while the writer only commits', async () => {
    const path = join(tmp.dir(), 'list.db');
    const h = openSqlite(path);
    const before = statSync(path).size;
    write(h, 2000);
    // The writer's own checkpoint waits for 10,000 pages: without the worker the file does not grow.
    await new Promise((r) => setTimeout(r, 300));
    expect(statSync(path).size).toBe(before);

    const errors: string[] = [];
    const checkpointer = startCheckpointer(path, { intervalMs: 20, onError: (e) => errors.push(e) });
    try {
      await vi.waitFor(() => expect(statSync(path).size).toBeGreaterThan(before + 2000 * 2048), { timeout: 10_000, interval: 20 });
      // The rows are all there, read through the writer's connection.
      expect(h.sqlite.prepare('SELECT count(*) AS n FROM filler').get()).toEqual({ n: 2000 });
      expect(errors).toEqual([]);
    } finally {
      await checkpointer.stop();
      h.close();
    }
    // Its connection is closed as well: the last one to close removes the WAL.
    expect(existsSync(`${path}-wal`)).toBe(false);
  });

  it('keeps checkpointing while the writer commits, and stops when asked', async () => {
    const path = join(tmp.dir(), 'busy.db');
    const h = openSqlite(path);
    const checkpointer = startCheckpointer(path, { intervalMs: 5 });
    // Round by round, the file takes in what the writer committed, the writer never pausing for it.
    let size = statSync(path).size;
    for (let round = 0; round < 5; round++) {
      write(h, 400);
      const was = size;
      await vi.waitFor(() => expect((size = statSync(path).size)).toBeGreaterThan(was), { timeout: 10_000, interval: 10 });
    }
    await checkpointer.stop();
    expect(h.sqlite.prepare('SELECT count(*) AS n FROM filler').get()).toEqual({ n: 2000 });
    h.close();
  });
});
