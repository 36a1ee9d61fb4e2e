/** Export rows as the contract writes them: CSV (RFC 4180), NDJSON and JSON objects. Pure. */
import { defuseFormula } from './spreadsheet';

export type ExportRow = { seq: number; id: string; email: string; name: string | null; confirmedAt: number; unsubToken: string };
export type ExportFormat = 'csv' | 'ndjson' | 'json';

export const CSV_HEADER = 'email,name,confirmed_at,unsubscribe_url,id\r\n';

const NEEDS_QUOTES = /[",\r\n]/;
/**
 * RFC 4180: quote only fields holding a quote, comma or line break; double inner quotes. A value
 * stored before formulas were refused (`=HYPERLINK(...)`) gets a leading `'` so no cell is a formula.
 */
export function csvField(raw: string): string {
  const value = defuseFormula(raw);
  return NEEDS_QUOTES.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** The link for List-Unsubscribe: the stored opaque token, no cryptography per row. */
export const unsubscribeUrl = (publicUrl: string, token: string) => `${publicUrl}/unsubscribe?token=${token}`;

export function rowObject(r: ExportRow, publicUrl: string) {
  return { email: r.email, name: r.name, confirmed_at: new Date(r.confirmedAt).toISOString(), unsubscribe_url: unsubscribeUrl(publicUrl, r.unsubToken), id: r.id };
}

/** One page of rows as one string chunk in the given streaming format. */
export function formatRows(rows: ExportRow[], format: 'csv' | 'ndjson', publicUrl: string): string {
  let out = '';
  if (format === 'csv') {
    for (const r of rows) {
      out += `${csvField(r.email)},${r.name ? csvField(r.name) : ''},${new Date(r.confirmedAt).toISOString()},${csvField(unsubscribeUrl(publicUrl, r.unsubToken))},${r.id}\r\n`;
    }
  } else {
    for (const r of rows) out += `${JSON.stringify(rowObject(r, publicUrl))}\n`;
  }
  return out;
}

/**
 * A JSON walk's position, opaque to clients: the confirmation-order position of the last row seen,
 * and the highest position that existed when the walk began. Rows confirmed after that (including
 * an address that unsubscribed and confirmed again during the walk, so it moved behind the walk)
 * are left to the next walk or the changes feed: a walk never shows an address twice.
 */
export type WalkCursor = { after: number; until: number };

export function encodeCursor(c: WalkCursor): string {
  return btoa(`s${c.after}.${c.until}`).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The position in a cursor; `until` is absent in cursors from before walks were bounded. Null when it is no cursor of ours. */
export function decodeCursor(cursor: string): { after: number; until?: number } | null {
  if (!/^[A-Za-z0-9_-]{1,60}$/.test(cursor)) return null;
  let text: string;
  try {
    text = atob(cursor.replace(/-/g, '+').replace(/_/g, '/'));
  } catch {
    return null;
  }
  const m = /^s(\d{1,15})(?:\.(\d{1,15}))?$/.exec(text);
  return m ? { after: Number(m[1]), ...(m[2] !== undefined ? { until: Number(m[2]) } : {}) } : null;
}
