/** Export rows as the contract writes them: CSV (RFC 4180), NDJSON and JSON objects. Pure. */

export type ExportRow = { seq: number; email: string; name: string | null; confirmedAt: number; unsubToken: string };
export type ExportFormat = 'csv' | 'ndjson' | 'json';

export const CSV_HEADER = 'email,name,confirmed_at,unsubscribe_url\r\n';

const NEEDS_QUOTES = /[",\r\n]/;
/** RFC 4180: quote only fields holding a quote, comma or line break; double inner quotes. */
export function csvField(value: string): string {
  return NEEDS_QUOTES.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** The link for List-Unsubscribe: the stored opaque token, no cryptography per row. */
export const unsubscribeUrl = (publicUrl: string, token: string) => `${publicUrl}/unsubscribe?token=${token}`;

export function rowObject(r: ExportRow, publicUrl: string) {
  return { email: r.email, name: r.name, confirmed_at: new Date(r.confirmedAt).toISOString(), unsubscribe_url: unsubscribeUrl(publicUrl, r.unsubToken) };
}

/** One page of rows as one string chunk in the given streaming format. */
export function formatRows(rows: ExportRow[], format: 'csv' | 'ndjson', publicUrl: string): string {
  let out = '';
  if (format === 'csv') {
    for (const r of rows) {
      out += `${csvField(r.email)},${r.name ? csvField(r.name) : ''},${new Date(r.confirmedAt).toISOString()},${csvField(unsubscribeUrl(publicUrl, r.unsubToken))}\r\n`;
    }
  } else {
    for (const r of rows) out += `${JSON.stringify(rowObject(r, publicUrl))}\n`;
  }
  return out;
}

/** Opaque to clients; it is the confirmation-order position of the last row they saw. */
export function encodeCursor(seq: number): string {
  return btoa(`s${seq}`).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function decodeCursor(cursor: string): number | null {
  if (!/^[A-Za-z0-9_-]{1,40}$/.test(cursor)) return null;
  let text: string;
  try {
    text = atob(cursor.replace(/-/g, '+').replace(/_/g, '/'));
  } catch {
    return null;
  }
  const m = /^s(\d{1,15})$/.exec(text);
  return m ? Number(m[1]) : null;
}
