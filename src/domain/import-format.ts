/**
 * What an exported list file says about each person: the columns of the exports of Mailchimp,
 * Substack, Ghost, Buttondown and listmonk (and a plain `email,name`), an opt-in time where the file
 * has one, and whether the source marks the person as gone (unsubscribed, cleaned, bounced,
 * blocklisted, not subscribed). Pure: the import service reads files, this reads their fields.
 */

export type SourceFormat = 'mailchimp' | 'substack' | 'ghost' | 'buttondown' | 'listmonk' | 'plain';

/** A column's name as compared: lower case, spaces for `_` and `-`, no BOM, single spaces. */
export const columnKey = (name: string): string =>
  name.replace(/^\uFEFF/, '').trim().toLowerCase().replace(/[_\s-]+/g, ' ');

/** The columns that hold the address, first found first (Mailchimp's `Email Address`, Buttondown's newer `email_address`). */
const EMAIL = ['email', 'email address', 'e mail', 'e mail address', 'mail'];
const NAME = ['name', 'full name'];
const FIRST_NAME = ['first name', 'firstname', 'fname'];
const LAST_NAME = ['last name', 'lastname', 'lname', 'surname'];
/** Opt-in times, the best first: Mailchimp's confirmation, then its opt-in, then when the source created the row. */
const OPT_IN = ['confirm time', 'optin time', 'subscribed at', 'subscription date', 'created at', 'creation date', 'created date'];

/** Values of a status column that mean the person must not be imported as subscribed. */
const GONE_STATUS = new Set([
  'unsubscribed',
  'cleaned',
  'bounced',
  'blocklisted',
  'blacklisted',
  'blocked',
  'complained',
  'not subscribed',
  'nonsubscribed',
  'non subscribed',
  'unactivated',
  'undeliverable',
  'spammy',
  'removed',
]);

const SIGNATURES: Array<[Exclude<SourceFormat, 'plain'>, (has: (c: string) => boolean) => boolean]> = [
  ['mailchimp', (has) => has('email address') && (has('member rating') || has('optin time') || has('leid') || has('euid'))],
  ['substack', (has) => has('active subscription') || has('email disabled') || has('subscription type')],
  ['ghost', (has) => has('subscribed to emails') || has('complimentary plan') || has('stripe customer id')],
  ['buttondown', (has) => has('subscriber type') || has('secondary id') || has('referrer url')],
  ['listmonk', (has) => has('uuid') && has('attributes') && has('status')],
];

export type Columns = { format: SourceFormat; email: string };

/** Recognises a file by its column names (a CSV header, or an NDJSON object's keys); null without an address column. */
export function detectColumns(names: string[]): Columns | null {
  const keys = new Set(names.map(columnKey));
  const email = EMAIL.find((c) => keys.has(c));
  if (!email) return null;
  const has = (c: string) => keys.has(c);
  return { format: SIGNATURES.find(([, test]) => test(has))?.[0] ?? 'plain', email };
}

/** A field by its column key; CSV cells are strings, NDJSON values anything. */
export type FieldLookup = (key: string) => unknown;

export type SourceRow = {
  email: unknown;
  name: string | null;
  /** The opt-in time the file gives (ms epoch), or null. */
  optInAt: number | null;
  /** The source marks the person as unsubscribed, cleaned, bounced, blocklisted or not subscribed. */
  markedGone: boolean;
};

const text = (v: unknown): string => (typeof v === 'string' ? v.trim() : typeof v === 'number' || typeof v === 'boolean' ? String(v) : '');
const first = (get: FieldLookup, names: string[]) => names.map((n) => text(get(n))).find((v) => v !== '') ?? '';
const isFalse = (v: unknown) => v === false || /^(false|no|0|n)$/i.test(text(v));
const isTrue = (v: unknown) => v === true || /^(true|yes|1|y)$/i.test(text(v));

/** One person as the file describes them. */
export function readSourceRow(columns: Columns, get: FieldLookup): SourceRow {
  const email = get(columns.email);
  const full = first(get, NAME);
  const name = full || [first(get, FIRST_NAME), first(get, LAST_NAME)].filter(Boolean).join(' ');
  return { email, name: name === '' ? null : name, optInAt: optInTime(get), markedGone: markedGone(get, email) };
}

function markedGone(get: FieldLookup, email: unknown): boolean {
  // Mailchimp's unsubscribed and cleaned exports carry the time it happened.
  if (text(get('unsub time')) !== '' || text(get('clean time')) !== '') return true;
  // Ghost: subscribed_to_emails=false; Substack: email_disabled=true.
  if (isFalse(get('subscribed to emails')) || isFalse(get('subscribed')) || isTrue(get('email disabled'))) return true;
  // listmonk `status`, Buttondown `subscriber_type` (newer: `type`), and plain status columns.
  for (const column of ['status', 'subscriber type', 'type', 'email marketing status']) {
    if (GONE_STATUS.has(columnKey(text(get(column))))) return true;
  }
  // Substack replaces the address of a reader who asked to be deleted.
  return typeof email === 'string' && /@deletion-request\.substack\.com\s*$/i.test(email);
}

const EARLIEST = Date.UTC(1990, 0, 1);
const ISO_LIKE = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?))?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * The file's opt-in time as ms epoch: ISO 8601 or `YYYY-MM-DD HH:MM:SS` (Mailchimp, read as UTC),
 * a time zone where given. Anything else, or a time before 1990 or in the future, is no evidence.
 */
export function optInTime(get: FieldLookup, now = Date.now()): number | null {
  const raw = first(get, OPT_IN);
  const m = ISO_LIKE.exec(raw);
  if (!m) return null;
  const zone = m[3] ? (m[3].toUpperCase() === 'Z' ? 'Z' : m[3].length === 3 ? `${m[3]}:00` : m[3].replace(/^([+-]\d{2})(\d{2})$/, '$1:$2')) : 'Z';
  const at = Date.parse(`${m[1]}T${m[2] ?? '00:00'}${m[2] && m[2].length === 5 ? ':00' : ''}${zone}`);
  return Number.isFinite(at) && at >= EARLIEST && at <= now + 86_400_000 ? at : null;
}
