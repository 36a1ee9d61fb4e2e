import emailAddresses from 'email-addresses';
import * as z from 'zod';
import { parseAddress } from './address';

export const LIST_SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;

/**
 * Exactly one mailbox, `addr@host` or `Display Name <addr@host>`, as RFC 5322 (with RFC 6532's UTF-8)
 * parses it: a list of addresses or a group (`News: a@x, b@y;`) would put several senders in From.
 * The address itself must pass the same checks as a subscriber's (a real domain, no typos).
 */
export function isOneMailbox(value: string): boolean {
  if (/[\r\n]/.test(value)) return false;
  const parsed = emailAddresses.parseAddressList({ input: value, rfc6532: true });
  if (!parsed || parsed.length !== 1 || parsed[0].type !== 'mailbox') return false;
  const address = parseAddress(parsed[0].address);
  return address.ok || address.code === 'typo';
}

/** `v` as an absolute http(s) URL, or null. */
function httpUrlOf(v: string): URL | null {
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u : null;
  } catch {
    return null;
  }
}

const httpUrl = z.string().max(2000).refine((v) => !!httpUrlOf(v)?.host, 'must be an absolute http(s) URL');

// An origin is what browsers send in `Origin`: scheme, host and an optional port, nothing more.
const origin = z
  .string()
  .max(300)
  .refine((v) => httpUrlOf(v)?.origin === v.replace(/\/$/, '').toLowerCase(), 'must be an origin like https://example.com (scheme, host and optional port, no path)')
  .transform((v) => new URL(v).origin);

/** The body of `PUT /v1/lists/{list}` (the contract's "Lists" fields); unknown fields are refused. */
export const listSettingsSchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
  from: z.string().trim().max(300).refine(isOneMailbox, 'must be one address or "Name <address>"').nullish(),
  language: z.enum(['en', 'ja']).default('en'),
  redirect_pending: httpUrl.nullish(),
  redirect_confirmed: httpUrl.nullish(),
  allowed_origins: z.array(origin).max(50).default([]),
  turnstile_site_key: z.string().trim().min(1).max(200).nullish(),
  turnstile_secret: z.string().trim().min(1).max(200).nullish(),
  check_mx: z.boolean().default(false),
  block_disposable: z.boolean().default(false),
});
export type ListSettingsInput = z.output<typeof listSettingsSchema>;
