import { eq, fillPlaceholders, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { bound, boundParams } from '../../src/db/prepared';
import { lists, outboxBatches } from '../../src/db/schema';
import { openSqlite } from '../../src/db/sqlite';

/**
 * boundParams answers what drizzle's fillPlaceholders answers: the writer thread and D1 bind it in
 * place of drizzle, so a difference would write other values than the builder meant.
 */
describe('boundParams', () => {
  const { db } = openSqlite(':memory:');
  // Placeholders bare (sql`...`) and through columns whose encoders change the value (JSON, boolean), beside constants.
  const update = db
    .update(lists)
    .set({ name: sql`${sql.placeholder('name')}`, allowedOrigins: sql.placeholder('origins'), checkMx: sql.placeholder('mx'), updatedAt: 7 })
    .where(eq(lists.slug, sql.placeholder('slug')))
    .prepare();
  const flagged = db.update(outboxBatches).set({ inDoubt: sql.placeholder('doubt'), lastError: 'constant' }).where(eq(outboxBatches.id, sql.placeholder('id'))).prepare();

  it('fills placeholders, encodes them through their columns and keeps constants, as drizzle does', () => {
    const values = { name: 'News', origins: ['https://a.example'], mx: true, slug: 'news' };
    const params = boundParams(bound(update, values));
    expect(params).toEqual(fillPlaceholders(update.getQuery().params, values));
    expect(params).toContain('["https://a.example"]');
    expect(params).toContain(1);
    expect(params).toContain(7);
    // The second call answers from what the first found, with the new values.
    const again = { name: 'Other', origins: [], mx: false, slug: 'other' };
    expect(boundParams(bound(update, again))).toEqual(fillPlaceholders(update.getQuery().params, again));
    const doubt = { doubt: false, id: 'b_1' };
    expect(boundParams(bound(flagged, doubt))).toEqual(fillPlaceholders(flagged.getQuery().params, doubt));
  });

  it('refuses a missing value with drizzle\'s message', () => {
    const values = { name: 'News', origins: [], mx: false };
    expect(() => boundParams(bound(update, values))).toThrow('No value for placeholder "slug" was provided');
    expect(() => fillPlaceholders(update.getQuery().params, values)).toThrow('No value for placeholder "slug" was provided');
  });
});
