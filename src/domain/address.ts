import { run as suggestDomain, POPULAR_DOMAINS } from '@zootools/email-spell-checker';

export type AddressError = {
  ok: false;
  code: 'required' | 'too_long' | 'invalid' | 'typo';
  message: string;
  suggestion?: string;
};
export type ParsedAddress = { ok: true; email: string; key: string; domain: string };

const MESSAGES = {
  required: 'Enter an email address.',
  too_long: 'This email address is too long.',
  invalid: 'Enter a valid email address, like name@example.com.',
} as const;

const fail = (code: 'required' | 'too_long' | 'invalid'): AddressError => ({ ok: false, code, message: MESSAGES[code] });

// String.prototype.trim covers whitespace and U+FEFF; pasted addresses also carry zero-width
// spaces/joiners and word joiners that trim() leaves alone. A loop, not /[..]+$/, which is
// quadratic on long runs of inner blanks.
const EDGE_JUNK = /[\s\u200B-\u200D\u2060\uFEFF]/;
function strip(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && EDGE_JUNK.test(s[start])) start++;
  while (end > start && EDGE_JUNK.test(s[end - 1])) end--;
  return s.slice(start, end);
}
// Controls, invisible formatting (bidi overrides, zero-width), lone surrogates, private use,
// unassigned code points and every kind of space: none belongs in an address, and several
// are silently dropped by IDNA, which would make the stored address differ from what was seen.
const FORBIDDEN = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Z}\s]/u;
// Dot-atom (RFC 5322 atext) plus non-ASCII letters, marks and digits (RFC 6532). Non-ASCII
// punctuation and symbols are refused so look-alikes of '@' and '.' cannot slip in.
const LOCAL = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~\p{L}\p{M}\p{N}]+(?:\.[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~\p{L}\p{M}\p{N}]+)*$/u;
// Before IDNA only LDH and dots may appear in ASCII; anything else ('%', '/', ':', '[') would
// make the URL parser decode, cut or reinterpret the host instead of rejecting it.
const DOMAIN_ASCII_OK = /^(?:[A-Za-z0-9.-]|[^\x00-\x7F])+$/;
const LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
const TLD = /^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;
// Cheap bound so NFC/IDNA never run on megabytes of input.
const MAX_INPUT_CHARS = 1024;

const utf8Length = (s: string): number => new TextEncoder().encode(s).length;

export function parseAddress(input: unknown): ParsedAddress | AddressError {
  if (input === undefined || input === null) return fail('required');
  if (typeof input !== 'string') return fail('invalid');
  const raw = strip(input);
  if (raw === '') return fail('required');
  if (raw.length > MAX_INPUT_CHARS) return fail('too_long');
  if (FORBIDDEN.test(raw)) return fail('invalid');

  const at = raw.indexOf('@');
  if (at <= 0 || at !== raw.lastIndexOf('@') || at === raw.length - 1) return fail('invalid');
  const local = raw.slice(0, at).normalize('NFC');
  const typedDomain = raw.slice(at + 1).normalize('NFC');
  if (!LOCAL.test(local)) return fail('invalid');
  if (!DOMAIN_ASCII_OK.test(typedDomain) || typedDomain.endsWith('.')) return fail('invalid');

  const domain = toAsciiDomain(typedDomain);
  if (domain === null) return fail('invalid');
  const labels = domain.split('.');
  if (labels.length < 2 || labels.some((l) => l.length === 0)) return fail('invalid');
  if (labels.some((l) => l.length > 63) || domain.length > 253) return fail('too_long');
  if (!labels.every((l) => LABEL.test(l)) || !TLD.test(labels[labels.length - 1])) return fail('invalid');

  const email = `${local}@${domain}`;
  if (utf8Length(local) > 64 || utf8Length(email) > 254) return fail('too_long');

  const corrected = typoFor(domain);
  if (corrected) {
    return {
      ok: false,
      code: 'typo',
      message: `This address looks mistyped. Did you mean the domain ${corrected}?`,
      suggestion: `${local}@${corrected}`,
    };
  }
  // toLowerCase is locale-independent; NFC again because lower-casing can decompose (İ → i̇).
  const key = `${local.toLowerCase().normalize('NFC')}@${domain}`;
  return { ok: true, email, key, domain };
}

/**
 * The stored form and comparison key of an address someone names after the fact: a provider's
 * bounce, a mailer's event, an operator's lookup or suppression. Like a signup, except that a likely
 * typo (gmial.com) is still an address: mail to it may have been sent (or imported), so it must still
 * be found and suppressed. Undefined when the text is not an address at all.
 */
export function addressOnRecord(text: string): { email: string; key: string } | undefined {
  const parsed = parseAddress(text);
  if (parsed.ok) return { email: parsed.email, key: parsed.key };
  if (parsed.code !== 'typo' || !parsed.suggestion) return undefined;
  // Parse the corrected address to learn how the local part normalises, then put the real domain back.
  const local = parsed.suggestion.slice(0, parsed.suggestion.lastIndexOf('@'));
  const domain = toAsciiDomain(strip(text).slice(strip(text).lastIndexOf('@') + 1).normalize('NFC'));
  const fixed = parseAddress(parsed.suggestion);
  if (!fixed.ok || domain === null) return undefined;
  return { email: `${local}@${domain}`, key: `${fixed.key.slice(0, fixed.key.lastIndexOf('@'))}@${domain}` };
}

// The WHATWG URL host parser is UTS #46 + punycode in both Node and workerd. Its result is
// trusted only if it is still a plain host name: it may turn input into an IPv4 address,
// strip characters, or map full-width punctuation to separators.
function toAsciiDomain(domain: string): string | null {
  let host: string;
  try {
    host = new URL(`http://${domain}`).hostname;
  } catch {
    return null;
  }
  if (!/^[a-z0-9.-]+$/.test(host)) return null;
  if (/^[0-9.]+$/.test(host)) return null;
  return host;
}

// --- typo detection ---------------------------------------------------------------------------

// Providers a typo may be corrected to. The library's own list lacks hotmail/outlook/yahoo
// (it reaches them only via its second-level/TLD guessing, which we switch off below).
const TARGETS = [
  ...POPULAR_DOMAINS.filter((d) => d !== 'mailw.com' && d !== 'pm.com'),
  'hotmail.com', 'outlook.com', 'live.com', 'yahoo.com', 'yahoo.co.uk', 'yahoo.co.jp',
  'hotmail.co.uk', 'hotmail.fr', 'gmx.com', 'gmx.de', 'gmx.net', 'mail.com', 'mail.ru',
  'yandex.ru', 'protonmail.ch', 'pm.me', 'fastmail.com', 'outlook.jp',
];
// Real domains within one edit of a target: they must never be "corrected".
const RECOGNISED = new Set([...TARGETS, 'email.com', 'cloud.com']);
// RFC 2606 / RFC 6761 names: documentation and tests use them on purpose.
const RESERVED = /(?:^|\.)(?:example\.(?:com|net|org)|example|test|invalid|localhost|local)$/;

function typoFor(domain: string): string | null {
  if (RESERVED.test(domain) || RECOGNISED.has(domain)) return null;
  // Empty second-level/TLD lists switch off the library's label guessing, which "fixes"
  // company.pt → company.it, foo.test → foo.de, docomo.ne.jp → docomo.net, libero.it → live.it.
  // Its sift3 distance also rates ibm.com ~ aim.com; a true edit distance of 1 does not.
  const hit = suggestDomain({
    email: `x@${domain}`,
    domains: TARGETS,
    secondLevelDomains: [],
    topLevelDomains: [],
    distanceFunction: editDistance,
    domainThreshold: 1,
  });
  if (!hit || !TARGETS.includes(hit.domain) || hit.domain === domain) return null;
  // For short names one edit is usually another company (ms.com/me.com, lime.com/live.com):
  // there only a slip in the suffix is trusted (aol.con, live.cm).
  const name = hit.domain.split('.')[0];
  if (name.length <= 4 && !domain.startsWith(`${name}.`)) return null;
  return hit.domain;
}

// Optimal string alignment distance: a transposition (gmial) counts as one edit.
function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.length][b.length];
}
