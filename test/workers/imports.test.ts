import { describe, expect, it } from 'vitest';
import { csvOf, importInit, importPath } from '../support/imports';
import { WORKERS_IMPORT_ROWS } from '../../src/worker';
import { testDb, workerHarness } from './harness';

const mode = { mode: 'confirmed', consent_source: 'workerd test' } as const;

/** Imports on workerd with a local D1: chunks as D1 batches, at most IMPORT_MAX_ROWS_PER_REQUEST rows a request. */
describe('imports on Workers', () => {
  it('imports 100,000 rows in requests of at most 10,000 rows, as the CLI splits them', { timeout: 600_000 }, async () => {
    const h = workerHarness();
    const lines = csvOf(100_000, 'edge', 'example.net').trimEnd().split('\n');
    const [header, ...rows] = lines;
    let imported = 0;
    for (let at = 0; at < rows.length; at += WORKERS_IMPORT_ROWS) {
      const part = `${[header, ...rows.slice(at, at + WORKERS_IMPORT_ROWS)].join('\n')}\n`;
      const res = await h.request(importPath('newsletter', mode), importInit(h.adminToken!, part));
      expect(res.status).toBe(200);
      imported += ((await res.json()) as { imported: number }).imported;
    }
    expect(imported).toBe(100_000);
    const db = testDb();
    const { count } = await import('drizzle-orm');
    const { subscriptions, changes } = await import('../../src/db/schema');
    const [{ n }] = await db.select({ n: count() }).from(subscriptions).all();
    expect(n).toBeGreaterThanOrEqual(100_000);
    const [{ events }] = await db.select({ events: count() }).from(changes).all();
    expect(events).toBeGreaterThanOrEqual(100_000);
  });

  it('refuses the row past the limit with 413 and the report of the rows it took', async () => {
    const h = workerHarness();
    const res = await h.request(importPath('newsletter', mode), importInit(h.adminToken!, csvOf(WORKERS_IMPORT_ROWS + 1, 'over')));
    expect(res.status).toBe(413);
    const body = (await res.json()) as { report: { rows: number; imported: number } };
    expect(body.report).toMatchObject({ rows: WORKERS_IMPORT_ROWS, imported: WORKERS_IMPORT_ROWS });
    // A re-run takes what is left: the rows already imported are skipped.
    const again = await h.request(importPath('newsletter', { ...mode, dry_run: '1' }), importInit(h.adminToken!, csvOf(WORKERS_IMPORT_ROWS, 'over')));
    expect(((await again.json()) as { skipped: { already: number } }).skipped.already).toBe(WORKERS_IMPORT_ROWS);
  });
});
