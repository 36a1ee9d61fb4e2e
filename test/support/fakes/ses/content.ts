import PostalMime, { addressParser, decodeWords } from 'postal-mime';
import type { SesSentMail } from './types';

type Mail = Omit<SesSentMail, 'messageId' | 'accessKeyId'>;
export type SesCheck = { ok: true; mail: Mail } | { ok: false; status: number; code: string; message: string };

const bad = (message: string, code = 'BadRequestException'): SesCheck => ({ ok: false, status: 400, code, message });
const HEADER_NAME = /^[!-9;-@A-~]+$/;
const PRINTABLE = /^[ -~]*$/;
const TAG = /^[A-Za-z0-9_-]{1,256}$/;

/**
 * One address field as SES reads it: 7-bit ASCII only (no SMTPUTF8), an encoded-word display name,
 * a punycode domain. Answers the address (lower-cased) and the display name, decoded.
 */
function mailbox(field: string, value: unknown): { address: string; display: string } | string {
  if (typeof value !== 'string' || !value.trim()) return `Missing ${field}`;
  if (!PRINTABLE.test(value)) return `Illegal address (non-ASCII characters must be MIME encoded-words or punycode): ${field}`;
  const parsed = addressParser(value);
  const box = parsed.length === 1 ? parsed[0] : undefined;
  if (!box || !box.address) return 'Illegal address';
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(box.address)) return "Missing final '@domain'";
  const name = decodeWords(box.name ?? '');
  return { address: box.address.toLowerCase(), display: name ? `${name} <${box.address}>` : box.address };
}

const b64decode = (data: string) => Uint8Array.from(atob(data), (c) => c.charCodeAt(0));

/** Reads a SendEmail body (SES v2 JSON) as SES would before sending, or says why SES refuses it. */
export async function readSendEmail(body: Record<string, unknown>): Promise<SesCheck> {
  const dest = (body.Destination ?? {}) as { ToAddresses?: unknown[]; CcAddresses?: unknown[]; BccAddresses?: unknown[] };
  const all = [...(dest.ToAddresses ?? []), ...(dest.CcAddresses ?? []), ...(dest.BccAddresses ?? [])];
  if (all.length > 50) return bad('Recipient count exceeds 50.');
  const to: string[] = [];
  for (const a of dest.ToAddresses ?? []) {
    const r = mailbox('ToAddresses', a);
    if (typeof r === 'string') return bad(r);
    to.push(r.display);
  }
  const replyTo: string[] = [];
  for (const a of (body.ReplyToAddresses as unknown[] | undefined) ?? []) {
    const r = mailbox('ReplyToAddresses', a);
    if (typeof r === 'string') return bad(r);
    replyTo.push(r.display);
  }
  const tags: Record<string, string> = {};
  for (const t of (body.EmailTags as Array<{ Name?: unknown; Value?: unknown }> | undefined) ?? []) {
    if (typeof t.Name !== 'string' || typeof t.Value !== 'string' || !TAG.test(t.Name) || !TAG.test(t.Value)) return bad('Invalid EmailTags: names and values are 1-256 of A-Z a-z 0-9 _ -');
    tags[t.Name] = t.Value;
  }
  const common = { configurationSet: typeof body.ConfigurationSetName === 'string' ? body.ConfigurationSetName : null, tags };
  const content = (body.Content ?? {}) as { Simple?: Record<string, any>; Raw?: { Data?: unknown } };

  if (content.Simple) {
    const s = content.Simple;
    const from = mailbox('FromEmailAddress', body.FromEmailAddress);
    if (typeof from === 'string') return bad(from);
    if (to.length === 0) return bad('Missing required field Destination');
    if (typeof s.Subject?.Data !== 'string') return bad('Missing required field Subject');
    if (typeof s.Body?.Text?.Data !== 'string' && typeof s.Body?.Html?.Data !== 'string') return bad('Missing required field Body');
    const headers: Record<string, string> = {};
    const list = (s.Headers ?? []) as Array<{ Name?: unknown; Value?: unknown }>;
    if (list.length > 15) return bad('1 validation error detected: Value at \'content.simple.headers\' failed to satisfy constraint: Member must have length less than or equal to 15', 'ValidationException');
    for (const h of list) {
      if (typeof h.Name !== 'string' || !HEADER_NAME.test(h.Name) || h.Name.length > 126) return bad(`Invalid header name: ${String(h.Name)}`, 'ValidationException');
      if (typeof h.Value !== 'string' || !PRINTABLE.test(h.Value) || h.Value.length < 1 || h.Value.length > 870) return bad(`Invalid value for header ${h.Name}`, 'ValidationException');
      headers[h.Name] = h.Value;
    }
    return { ok: true, mail: { from: from.display, to, replyTo, subject: s.Subject.Data, text: s.Body.Text?.Data ?? '', html: s.Body.Html?.Data ?? '', headers, content: 'Simple', ...common } };
  }

  if (content.Raw) {
    if (typeof content.Raw.Data !== 'string') return bad('Missing required field Raw.Data');
    let email;
    try {
      email = await PostalMime.parse(b64decode(content.Raw.Data));
    } catch (err) {
      return bad(`Could not parse the raw message: ${(err as Error).message}`, 'MessageRejected');
    }
    const raw = new TextDecoder().decode(b64decode(content.Raw.Data));
    if (!PRINTABLE.test(raw.replace(/\r\n/g, ''))) return bad('The raw message must be 7-bit ASCII (encode non-ASCII text)', 'MessageRejected');
    const fromHeader = email.headers.find((h) => h.key === 'from')?.value ?? '';
    const from = mailbox('From', typeof body.FromEmailAddress === 'string' ? body.FromEmailAddress : fromHeader);
    if (typeof from === 'string') return bad(from);
    const rawTo = to.length ? to : (email.to ?? []).map((a) => ('address' in a && a.address ? a.address : ''));
    if (rawTo.length === 0) return bad('Missing required field Destination');
    const structural = new Set(['from', 'to', 'cc', 'bcc', 'reply-to', 'subject', 'mime-version', 'content-type', 'content-transfer-encoding', 'date', 'message-id']);
    const headers = Object.fromEntries(email.headers.filter((h) => !structural.has(h.key)).map((h) => [h.originalKey ?? h.key, decodeWords(h.value)]));
    const rawReplyTo = replyTo.length ? replyTo : (email.replyTo ?? []).map((a) => ('address' in a && a.address ? (a.name ? `${a.name} <${a.address}>` : a.address) : ''));
    return { ok: true, mail: { from: from.display, to: rawTo, replyTo: rawReplyTo, subject: email.subject ?? '', text: email.text ?? '', html: email.html ?? '', headers, content: 'Raw', ...common } };
  }
  return bad('Missing required field Content: exactly one of Simple, Raw or Template');
}
