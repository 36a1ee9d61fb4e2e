import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { Db } from '../../../src/deps';
import { storageFault } from '../../../src/db/errors';
import * as schema from '../../../src/db/schema';
import { ensureDefaultList } from '../../../src/db/queries/lists';
import { openSqlite } from '../../../src/db/sqlite';
import { signup, testApp } from '../../support/app';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('a read-only database', () => {
  it('answers signups 503 with Retry-After (never 500), /healthz 503, and pages still render', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'listgate-ro-'));
    dirs.push(dir);
    const path = join(dir, 'listgate.db');
    const writer = openSqlite(path);
    await ensureDefaultList(writer.db, Date.now());
    writer.close();
    const readonly = drizzle(new Database(path, { readonly: true }), { schema }) as unknown as Db;
    const t = await testApp();
    t.deps.db = readonly;
    t.deps.atomic = async () => {
      throw Object.assign(new Error('attempt to write a readonly database'), { code: 'SQLITE_READONLY' });
    };
    // The list's page only reads.
    expect((await t.app.request('/lists/newsletter')).status).toBe(200);
    const res = await signup(t, 'ro@example.com');
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('30');
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const health = await t.app.request('/healthz');
    expect(health.status).toBe(503);
    expect(await health.json()).toEqual({ status: 'unavailable', database: 'unavailable' });
    expect(t.logs.filter((l) => l.includes('database unavailable'))).toHaveLength(1);
    expect(t.logs.join('\n')).not.toContain('unhandled error');
  });
});

describe('storageFault', () => {
  it.each([
    [{ code: 'SQLITE_BUSY' }, 'busy'],
    [{ code: 'SQLITE_BUSY_SNAPSHOT' }, 'busy'],
    [{ code: 'SQLITE_LOCKED' }, 'busy'],
    [{ code: 'SQLITE_FULL' }, 'full'],
    [{ code: 'SQLITE_READONLY_DBMOVED' }, 'readonly'],
    [{ code: 'SQLITE_IOERR_WRITE' }, 'io'],
    [new Error('D1_ERROR: database is locked'), 'busy'],
    [new Error('D1 DB is overloaded. Too many requests queued.'), 'busy'],
    [new Error('D1_ERROR: Exceeded maximum DB size'), 'full'],
  ])('%o is %s (also as the cause drizzle wraps)', (err, kind) => {
    expect(storageFault(err)?.kind).toBe(kind);
    expect(storageFault({ message: 'Failed query', cause: err })?.kind).toBe(kind);
  });

  it('is null for the errors that are bugs, and never reads the bound parameters drizzle puts in its message', () => {
    expect(storageFault({ code: 'SQLITE_CONSTRAINT_UNIQUE' })).toBeNull();
    expect(storageFault(new TypeError('x is undefined'))).toBeNull();
    expect(storageFault({ message: 'Failed query: insert ...\nparams: database is locked', params: ['database is locked'], cause: { code: 'SQLITE_CONSTRAINT' } })).toBeNull();
  });
});
