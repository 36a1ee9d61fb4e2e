import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { storageFault } from '../../src/db/errors';
import { ensureDefaultList } from '../../src/db/queries/lists';
import { confirmSignup, stateOn, unsubscribe, writeSignup } from '../../src/db/queries/subscriptions';
import { subscriptions } from '../../src/db/schema';
import { openSqlite, type SqliteHandle } from '../../src/db/sqlite';
import type { WriterThread } from '../../src/db/writer-thread';
import { drainStep } from '../../src/mail/drain';
import { testApp } from '../support/app';
import { signupWrite } from '../support/outbox';
import { scratch } from '../support/scratch';

const tmp = scratch('writer-thread');
const open: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of open.splice(0).reverse()) await close();
});

/** A migrated file with the default list, its writer thread, and the main connection beside it. */
async function database(): Promise<{ h: SqliteHandle; writer: WriterThread; path: string; errors: string[] }> {
  const path = join(tmp.dir(), 'list.db');
  const h = openSqlite(path);
  await ensureDefaultList(h.db, Date.now());
  const errors: string[] = [];
  const writer = h.startWriterThread((e) => errors.push(e))!;
  open.push(async () => {
    await writer.stop();
    h.close();
  });
  return { h, writer, path, errors };
}

/** Another connection (another process, as far as SQLite can tell) takes the write lock; answers its release. */
function holdWriteLock(path: string): () => void {
  const other = new Database(path);
  other.prepare('BEGIN IMMEDIATE').run();
  return () => {
    other.prepare('ROLLBACK').run();
    other.close();
  };
}

/** Runs `work` to its end: what it threw (null if nothing), how long it took, how often a 10 ms timer of this event loop fired meanwhile. */
async function watchingTheLoop(work: () => Promise<unknown>): Promise<{ err: unknown; ms: number; ticks: number }> {
  let ticks = 0;
  const ticking = setInterval(() => ticks++, 10);
  const started = performance.now();
  const err = await work().then(() => null, (e: unknown) => e);
  clearInterval(ticking);
  return { err, ms: performance.now() - started, ticks };
}

describe('the writer thread', () => {
  it('writes signups, confirms and unsubscribes, answering what the main connection would', async () => {
    const { h, writer } = await database();
    const ports = { db: h.db, atomic: writer.atomic };
    const writes = ['a@example.com', 'b@example.com', 'c@example.com'].map((e) => signupWrite(e));
    for (const w of writes) w.mailSignupId = w.freshSignupId;
    await Promise.all(writes.map((w) => writeSignup(writer.atomic, w)));
    // Committed (another connection sees them) by the time the promises settle.
    const reader = new Database(h.sqlite.name, { readonly: true });
    expect(reader.prepare("SELECT count(*) AS n FROM subscriptions WHERE state = 'pending'").get()).toEqual({ n: 3 });
    expect(reader.prepare('SELECT count(*) AS n FROM outbox').get()).toEqual({ n: 3 });
    reader.close();

    // UPDATE ... RETURNING comes back mapped to drizzle's field names.
    const evidence = { now: Date.now(), ip: '10.0.0.2', userAgent: 'x' };
    expect(await confirmSignup(ports, writes[0].freshSignupId, evidence)).toEqual({ outcome: 'confirmed', listId: 1 });
    expect(await confirmSignup(ports, writes[0].freshSignupId, evidence)).toEqual({ outcome: 'already', listId: 1 });
    expect(await confirmSignup(ports, 'no-such-signup', evidence)).toEqual({ outcome: 'gone', listId: undefined });
    const [row] = h.db.select({ id: subscriptions.id }).from(subscriptions).where(undefined).limit(1).all() as Array<{ id: number }>;
    const gone = await unsubscribe(ports, { unsubToken: writes[0].unsubToken }, Date.now(), 'link');
    expect(gone).toEqual([{ id: row.id, listId: 1 }]);
    expect(await unsubscribe(ports, { unsubToken: writes[0].unsubToken }, Date.now(), 'link')).toEqual([]);
    expect(await stateOn(h.db, 1, 'a@example.com')).toBe('unsubscribed');
  });

  it('rejects a failing group alone, with SQLite\'s code; the others of its turn commit', async () => {
    const { h, writer } = await database();
    const dup = signupWrite('dup@example.com');
    const clash = { ...signupWrite('other@example.com'), publicId: dup.publicId };
    const results = await Promise.allSettled([writeSignup(writer.atomic, dup), writeSignup(writer.atomic, clash), writeSignup(writer.atomic, signupWrite('ok@example.com'))]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const err = (results[1] as PromiseRejectedResult).reason as { code?: string; message: string };
    expect(err.code).toBe('SQLITE_CONSTRAINT_UNIQUE');
    expect(err.message).toMatch(/UNIQUE constraint failed: subscriptions.public_id/);
    expect(await stateOn(h.db, 1, 'ok@example.com')).toBe('pending');
    expect(await stateOn(h.db, 1, 'other@example.com')).toBeUndefined();
  });

  it('answers a held lock as a storage fault after the busy timeout, while this thread stays free', async () => {
    const { writer, path } = await database();
    const release = holdWriteLock(path);
    try {
      const first = await watchingTheLoop(() => writeSignup(writer.atomic, signupWrite('held@example.com')));
      expect(storageFault(first.err)).toEqual({ kind: 'busy', code: 'SQLITE_BUSY' });
      expect(first.ms).toBeGreaterThanOrEqual(200);
      // The wait happened in the writer's thread: this event loop went on (a timer every 10 ms).
      expect(first.ticks).toBeGreaterThanOrEqual(10);
      // Once a wait ran out, the thread's busy gate fails the next group at once instead of waiting again.
      const second = await watchingTheLoop(() => writeSignup(writer.atomic, signupWrite('held2@example.com')));
      expect(storageFault(second.err)?.kind).toBe('busy');
      expect(second.ms).toBeLessThan(150);
    } finally {
      release();
    }
  });

  it("the outbox's claim on a batch is written there too: another process's held lock never stops this event loop", async () => {
    const { h, writer, path } = await database();
    // The server's ports: reads on the main connection, atomic groups in the writer thread.
    const deps = { ...(await testApp()).deps, db: h.db, atomic: writer.atomic };
    const release = holdWriteLock(path);
    try {
      const step = await watchingTheLoop(() => drainStep(deps));
      expect(storageFault(step.err)?.kind).toBe('busy');
      expect(step.ms).toBeGreaterThanOrEqual(200);
      // On the main connection the claim waited out the busy timeout in SQLite's sleeps, and this
      // event loop (every request on it) with it.
      expect(step.ticks).toBeGreaterThanOrEqual(10);
    } finally {
      release();
    }
  });

  it('lets a write of the main connection go first instead of failing on its lock', async () => {
    const { h, writer } = await database();
    // The main connection takes the write lock and keeps it past the writer's busy timeout (250 ms).
    h.sqlite.prepare('BEGIN IMMEDIATE').run();
    const written = writeSignup(writer.atomic, signupWrite('after@example.com')).then(() => performance.now());
    await new Promise((r) => setTimeout(r, 600));
    const committed = performance.now();
    h.sqlite.prepare('COMMIT').run();
    // The thread waited for the main connection rather than timing out on the lock.
    expect(await written).toBeGreaterThanOrEqual(committed);
    expect(await stateOn(h.db, 1, 'after@example.com')).toBe('pending');
  });

  it('commits and answers every group handed over before stop()', async () => {
    const { h, writer } = await database();
    const answers = Array.from({ length: 20 }, (_, i) => writeSignup(writer.atomic, signupWrite(`s${i}@example.com`)));
    await writer.stop();
    await expect(Promise.all(answers)).resolves.toHaveLength(20);
    expect(h.sqlite.prepare("SELECT count(*) AS n FROM subscriptions WHERE state = 'pending'").get()).toEqual({ n: 20 });
    // A group after stop() is refused, never lost silently.
    await expect(writeSignup(writer.atomic, signupWrite('late@example.com'))).rejects.toThrow(/writer thread stopped/);
  });

  it('refuses what a dead thread held as a storage fault, and the next group starts a new thread that writes', async () => {
    const { h, writer, errors } = await database();
    // The first thread has named the signup's statements by number; the next must be told them again.
    await writeSignup(writer.atomic, signupWrite('before@example.com'));
    const held = writeSignup(writer.atomic, signupWrite('held@example.com'));
    const killed = writer.kill();
    const err = await held.then(() => null, (e: unknown) => e);
    await killed;
    // Either it was refused (503 to its request) or it committed before the thread died: never lost silently.
    if (err) expect(storageFault(err)?.kind).toBe('io');
    expect(await stateOn(h.db, 1, 'held@example.com')).toBe(err ? undefined : 'pending');
    expect(errors.join('\n')).toMatch(/writer/i);

    await writeSignup(writer.atomic, signupWrite('after@example.com'));
    expect(await stateOn(h.db, 1, 'after@example.com')).toBe('pending');
    const confirm = signupWrite('after2@example.com');
    confirm.mailSignupId = confirm.freshSignupId;
    await writeSignup(writer.atomic, confirm);
    expect(await confirmSignup({ db: h.db, atomic: writer.atomic }, confirm.freshSignupId, { now: Date.now(), ip: '10.0.0.3', userAgent: null })).toEqual({ outcome: 'confirmed', listId: 1 });
  });
});
