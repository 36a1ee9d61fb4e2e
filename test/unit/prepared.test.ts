import { fillPlaceholders, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { bound, boundParams } from '../../src/db/prepared';
import { lists } from '../../src/db/schema';
import { openSqlite } from '../../src/db/sqlite';

/**
 * boundParams answers what drizzle's fillPlaceholders answers: the writer thread and D1 bind it in
 * place of drizzle, so a difference would write other values than the builder meant.
 */
describe('boundParams', () => {
  const { db } = openSqlite(':memory:');
  // A placeholder bare (sql`...`), placeholders through columns whose encoders change the value
  // (JSON text, a boolean's 0/1), and constants.
  const insert = db
    .insert(lists)
    .values({ slug: sql.placeholder('slug'), name: sql`${sql.placeholder('name')}`, allowedOrigins: sql.placeholder('origins'), checkMx: sql.placeholder('mx'), createdAt: 7, updatedAt: 7 })
    .prepare();
  const params = (values: Record<string, unknown>) => fillPlaceholders(insert.getQuery().params, values);

  it('fills placeholders, encodes them through their columns and keeps constants, as drizzle does', () => {
    const values = { name: 'News', origins: ['https://a.example'], mx: true, slug: 'news' };
    const filled = boundParams(bound(insert, values));
    expect(filled).toEqual(params(values));
    expect(filled).toEqual(expect.arrayContaining(['news', 'News', '["https://a.example"]', 1, 7]));
    // The second call answers from what the first found, with its own values.
    const again = { name: 'Other', origins: [], mx: false, slug: 'other' };
    expect(boundParams(bound(insert, again))).toEqual(params(again));
    expect(boundParams(bound(insert, again))).toEqual(expect.arrayContaining(['other', '[]', 0]));
  });

  it("refuses a missing value with drizzle's message", () => {
    const values = { name: 'News', origins: [], mx: false };
    expect(() => boundParams(bound(insert, values))).toThrow('No value for placeholder "slug" was provided');
    expect(() => params(values)).toThrow('No value for placeholder "slug" was provided');
  });
});
