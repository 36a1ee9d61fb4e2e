import { describe, expect, it } from 'vitest';
import { columnKey, detectColumns, optInTime, readSourceRow } from '../../src/domain/import-format';

const lookup = (fields: Record<string, unknown>) => {
  const byKey = new Map(Object.entries(fields).map(([k, v]) => [columnKey(k), v]));
  return (key: string) => byKey.get(key);
};

describe('recognising an export by its columns', () => {
  it('finds the address column under each service\'s name for it', () => {
    expect(detectColumns(['\uFEFFEmail Address', 'First Name', 'MEMBER_RATING'])).toEqual({ format: 'mailchimp', email: 'email address' });
    expect(detectColumns(['email_address', 'type'])).toEqual({ format: 'plain', email: 'email address' });
    expect(detectColumns(['E-mail'])).toEqual({ format: 'plain', email: 'e mail' });
    expect(detectColumns(['name', 'phone'])).toBeNull();
  });

  it('reads a row the source marks as gone as such, and a subscribed one as not', () => {
    const columns = detectColumns(['email', 'status'])!;
    const gone = (fields: Record<string, unknown>) => readSourceRow(columns, lookup({ email: 'a@example.com', ...fields })).markedGone;
    expect(gone({ status: 'enabled' })).toBe(false);
    expect(gone({ status: 'Blocklisted' })).toBe(true);
    expect(gone({ status: 'not subscribed' })).toBe(true);
    expect(gone({ subscribed_to_emails: false })).toBe(true);
    expect(gone({ subscribed_to_emails: 'true' })).toBe(false);
    expect(gone({ email_disabled: 'true' })).toBe(true);
    expect(gone({ UNSUB_TIME: '2023-01-01 00:00:00' })).toBe(true);
    expect(gone({ UNSUB_TIME: '' })).toBe(false);
    expect(gone({ subscriber_type: 'undeliverable' })).toBe(true);
  });
});

describe('opt-in times as evidence', () => {
  const at = (value: string) => optInTime(lookup({ created_at: value }), Date.UTC(2026, 0, 1));
  it('reads ISO 8601 and Mailchimp\'s UTC times, with a zone where one is given', () => {
    expect(at('2021-07-06T16:20:44.000Z')).toBe(Date.UTC(2021, 6, 6, 16, 20, 44));
    expect(at('2016-04-18 13:51:14')).toBe(Date.UTC(2016, 3, 18, 13, 51, 14));
    expect(at('2020-07-01 10:00:00+02')).toBe(Date.UTC(2020, 6, 1, 8));
    expect(at('2020-07-01 10:00+0530')).toBe(Date.UTC(2020, 6, 1, 4, 30));
    expect(at('2022-02-03')).toBe(Date.UTC(2022, 1, 3));
  });

  it('takes nothing else, nor a time before 1990 or in the future', () => {
    for (const v of ['', 'yesterday', '03/04/2021', '1970-01-01', '2030-01-01T00:00:00Z', '=NOW()']) expect(at(v)).toBeNull();
  });
});
