import { DrizzleQueryError } from 'drizzle-orm/errors';
import { describe, expect, it } from 'vitest';
import { safeErrorText } from '../../src/logger';

describe('safeErrorText (what the Worker logs about a failure)', () => {
  it("keeps the driver's reason and drops the query parameters, which may hold secrets", () => {
    const secret = 'd5b9b38b254ffda5b72d0d58c18c03b230cd194b50e44b10';
    const err = new DrizzleQueryError('insert into "settings" ("key", "value") values (?, ?)', ['dev_token_secret', secret], new Error('D1_ERROR: no such table: settings'));
    const text = safeErrorText(err);
    expect(text).toContain('no such table: settings');
    expect(text).not.toContain(secret);
  });

  it('names other errors with their message', () => {
    expect(safeErrorText(new TypeError('fetch failed'))).toBe('TypeError: fetch failed');
  });
});
