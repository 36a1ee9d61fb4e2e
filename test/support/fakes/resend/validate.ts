import type { ResendErrorBody } from './types';

/** Resend's validation of one mail, with its messages and limits. */

const MAX_BATCH = 100;
const MAX_RECIPIENTS = 50;

const ADDRESS_FORMAT = 'The email address needs to follow the `email@example.com` or `Name <email@example.com>` format.';

const LOCAL_PART = /^[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+(?:\.[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+)*$/u;
const DOMAIN_LABEL = /^[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?$/u;
const NAMED_ADDRESS = /^\s*(?:"[^"]*"|[^<>"]*?)\s*<([^<>\s]+)>\s*$/;

/** Bare address from `a@b.c` or `Name <a@b.c>`, or null if syntactically invalid. */
export function parseAddress(input: string): string | null {
  if (typeof input !== 'string') return null;
  const named = NAMED_ADDRESS.exec(input);
  const addr = (named ? named[1] : input).trim();
  if (addr.length === 0 || addr.length > 254) return null;
  const at = addr.lastIndexOf('@');
  if (at <= 0 || at === addr.length - 1) return null;
  const local = addr.slice(0, at);
  const domain = addr.slice(at + 1);
  if (local.length > 64 || !LOCAL_PART.test(local)) return null;
  const labels = domain.split('.');
  if (labels.length < 2 || !labels.every((l) => DOMAIN_LABEL.test(l))) return null;
  const tld = labels[labels.length - 1];
  if (tld.length < 2 || /^\d+$/.test(tld)) return null;
  return addr;
}

const missing = (field: string): ResendErrorBody => ({ statusCode: 422, name: 'missing_required_field', message: `Missing \`${field}\` field.` });
const invalid = (message: string, statusCode = 422): ResendErrorBody => ({ statusCode, name: 'validation_error', message });

const isPresent = (v: unknown) => v !== undefined && v !== null;
const nonEmptyString = (v: unknown): v is string => typeof v === 'string' && v.trim().length > 0;

/** A string or an array of strings as an array; null for anything else. */
export function toList(v: unknown): string[] | null {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  return null;
}

function validateAddressList(field: string, value: unknown, required: boolean): ResendErrorBody | null {
  if (!isPresent(value) || (Array.isArray(value) && value.length === 0) || value === '') return required ? missing(field) : null;
  const list = toList(value);
  if (!list) return invalid(`Invalid \`${field}\` field. ${ADDRESS_FORMAT}`);
  if (list.length > MAX_RECIPIENTS) return invalid(`Too many recipients in \`${field}\` field. The maximum is ${MAX_RECIPIENTS}.`);
  for (const a of list) if (!parseAddress(a)) return invalid(`Invalid \`${field}\` field. ${ADDRESS_FORMAT}`);
  return null;
}

const TAG = /^[A-Za-z0-9_-]{1,256}$/;
function validTag(t: unknown): boolean {
  if (typeof t !== 'object' || t === null) return false;
  const { name, value } = t as { name?: unknown; value?: unknown };
  return typeof name === 'string' && typeof value === 'string' && TAG.test(name) && TAG.test(value);
}

/** The first problem Resend would report for `mail`, or null when it would take it. */
export function validateMail(mail: unknown, ctx: { batch: boolean; verifiedDomains?: string[] }): ResendErrorBody | null {
  if (typeof mail !== 'object' || mail === null || Array.isArray(mail)) return invalid('Invalid request body. Expected a JSON object.');
  const m = mail as Record<string, unknown>;
  const hasTemplate = typeof m.template === 'object' && m.template !== null;

  if (!isPresent(m.from) || m.from === '') return missing('from');
  if (typeof m.from !== 'string' || !parseAddress(m.from)) return invalid(`Invalid \`from\` field. ${ADDRESS_FORMAT}`);
  const toErr = validateAddressList('to', m.to, true);
  if (toErr) return toErr;
  if (!hasTemplate) {
    if (!nonEmptyString(m.subject)) return missing('subject');
    if (!nonEmptyString(m.html) && !nonEmptyString(m.text)) return missing('html` or `text');
  } else if (isPresent(m.subject) && typeof m.subject !== 'string') {
    return invalid('Invalid `subject` field. Expected a string.');
  }
  if (isPresent(m.html) && typeof m.html !== 'string') return invalid('Invalid `html` field. Expected a string.');
  if (isPresent(m.text) && typeof m.text !== 'string') return invalid('Invalid `text` field. Expected a string.');
  for (const f of ['cc', 'bcc', 'reply_to'] as const) {
    const err = validateAddressList(f, m[f], false);
    if (err) return err;
  }
  if (isPresent(m.headers)) {
    const h = m.headers;
    if (typeof h !== 'object' || Array.isArray(h) || !Object.values(h as object).every((v) => typeof v === 'string')) {
      return invalid('Invalid `headers` field. Expected an object of string values.');
    }
  }
  if (isPresent(m.tags) && !(Array.isArray(m.tags) && m.tags.every(validTag))) {
    return invalid('Invalid `tags` field. Tag names and values can only contain ASCII letters, numbers, underscores, or dashes.');
  }
  if (ctx.batch && isPresent(m.attachments)) return invalid('The `attachments` field is not supported for batch emails.');
  if (ctx.verifiedDomains) {
    const domain = parseAddress(m.from)!.split('@').pop()!.toLowerCase();
    if (!ctx.verifiedDomains.map((d) => d.toLowerCase()).includes(domain)) {
      return invalid(`The ${domain} domain is not verified. Please, add and verify your domain on https://resend.com/domains`, 403);
    }
  }
  return null;
}

type Accepted = { index: number | null; mail: Record<string, unknown> };

/**
 * A send's body as Resend judges it: one mail for /emails; for /emails/batch up to 100, where a
 * strict batch fails on its first bad mail and a permissive one reports each by index.
 */
export function validateSend(
  parsed: unknown,
  ctx: { batch: boolean; mode: string; verifiedDomains?: string[] },
): { error: ResendErrorBody } | { accept: Accepted[]; batchErrors: { index: number; message: string }[] } {
  if (!ctx.batch) {
    const error = validateMail(parsed, ctx);
    return error ? { error } : { accept: [{ index: null, mail: parsed as Record<string, unknown> }], batchErrors: [] };
  }
  if (ctx.mode !== 'strict' && ctx.mode !== 'permissive') return { error: invalid('Invalid `x-batch-validation` header. Expected `strict` or `permissive`.') };
  if (!Array.isArray(parsed)) return { error: invalid('Invalid request body. Expected an array of emails.') };
  if (parsed.length === 0) return { error: invalid('The batch must contain at least 1 email.') };
  if (parsed.length > MAX_BATCH) return { error: invalid(`Too many emails in batch. The maximum is ${MAX_BATCH} emails per request.`) };
  const accept: Accepted[] = [];
  const batchErrors: { index: number; message: string }[] = [];
  for (const [i, mail] of parsed.entries()) {
    const error = validateMail(mail, ctx);
    if (!error) accept.push({ index: i, mail: mail as Record<string, unknown> });
    else if (ctx.mode === 'strict') return { error };
    else batchErrors.push({ index: i, message: error.message });
  }
  return { accept, batchErrors };
}
