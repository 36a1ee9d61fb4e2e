import emailAddresses from 'email-addresses';
import type { OutboxMessage } from '../db/types';

const utf8 = new TextEncoder();
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
/** RFC 5322 field names: printable ASCII without the colon. */
const FIELD_NAME = /^[!-9;-~]+$/;

export function base64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/**
 * A header text as RFC 2047 encoded words (`=?UTF-8?B?...?=`) when it holds anything but printable
 * ASCII; ASCII stays as it is. Each word carries whole characters and stays under 75 characters.
 */
export function encodeWords(text: string): string {
  if (PRINTABLE_ASCII.test(text)) return text;
  const words: string[] = [];
  let chunk = '';
  for (const ch of text.replace(/[\r\n]+/g, ' ')) {
    if (chunk && utf8.encode(chunk + ch).length > 45) {
      words.push(chunk);
      chunk = '';
    }
    chunk += ch;
  }
  if (chunk) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${base64(utf8.encode(w))}?=`).join(' ');
}

/**
 * A mailbox (`addr@host` or `Name <addr@host>`) as SES takes it: SES speaks no SMTPUTF8, so a display
 * name outside ASCII goes as encoded words and an international domain as punycode.
 */
export function asciiMailbox(mailbox: string): string {
  const parsed = emailAddresses.parseOneAddress({ input: mailbox, rfc6532: true });
  if (!parsed || parsed.type !== 'mailbox') return mailbox.trim();
  let domain = parsed.domain;
  try {
    domain = new URL(`http://${parsed.domain}`).hostname;
  } catch {
    // Left as written: SES answers for it, and the mail fails alone.
  }
  const address = `${parsed.local}@${domain}`;
  const name = parsed.name?.trim();
  if (!name) return address;
  const display = PRINTABLE_ASCII.test(name) ? (/[()<>[\]:;@\\,."]/.test(name) ? `"${name.replace(/["\\]/g, '\\$&')}"` : name) : encodeWords(name);
  return `${display} <${address}>`;
}

/**
 * The mail's own headers as SES v2's Simple content takes them (at most 15; names printable ASCII
 * without a colon, up to 126 characters; values printable ASCII, up to 870), or null when they do
 * not fit and the mail must go as Raw.
 */
export function simpleHeaders(headers: Record<string, string> | undefined): Array<{ Name: string; Value: string }> | null {
  const entries = Object.entries(headers ?? {});
  if (entries.length > 15) return null;
  const fits = entries.every(([name, value]) => FIELD_NAME.test(name) && name.length <= 126 && value.length >= 1 && value.length <= 870 && PRINTABLE_ASCII.test(value));
  return fits ? entries.map(([Name, Value]) => ({ Name, Value })) : null;
}

/** Fields the message's own structure sets: a second one would contradict it. */
const STRUCTURAL = new Set(['from', 'to', 'cc', 'bcc', 'reply-to', 'subject', 'mime-version', 'content-type', 'content-transfer-encoding']);

/** `text` in base64, in lines of 76 characters as MIME wants them. */
function base64Lines(text: string): string {
  return base64(utf8.encode(text)).replace(/.{76}/g, '$&\r\n');
}

/**
 * The mail as an RFC 5322 message (multipart/alternative, text then HTML, both UTF-8 in base64), for
 * headers that SES's Simple content cannot carry. Answers an error for a header name no mail can carry.
 */
export function rawMessage(m: OutboxMessage): { raw: Uint8Array } | { error: string } {
  const own = Object.entries(m.headers ?? {});
  const bad = own.find(([name]) => !FIELD_NAME.test(name) || STRUCTURAL.has(name.toLowerCase()));
  if (bad) return { error: `header name ${JSON.stringify(bad[0])} cannot be sent` };
  const boundary = `=_listgate_${base64(crypto.getRandomValues(new Uint8Array(12))).replace(/[+/=]/g, '0')}`;
  const lines = [
    `From: ${asciiMailbox(m.from)}`,
    `To: ${asciiMailbox(m.to)}`,
    ...(m.replyTo ? [`Reply-To: ${asciiMailbox(m.replyTo)}`] : []),
    `Subject: ${encodeWords(m.subject)}`,
    ...own.map(([name, value]) => `${name}: ${encodeWords(value.replace(/[\r\n]+/g, ' '))}`),
    'MIME-Version: 1.0',
    `Content-Type: multipart/alternative; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=UTF-8',
    'Content-Transfer-Encoding: base64',
    '',
    base64Lines(m.text),
    `--${boundary}`,
    'Content-Type: text/html; charset=UTF-8',
    'Content-Transfer-Encoding: base64',
    '',
    base64Lines(m.html),
    `--${boundary}--`,
    '',
  ];
  return { raw: utf8.encode(lines.join('\r\n')) };
}
