import { z } from 'zod';

export const LIST_SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;

const ADDR = String.raw`[^\s@<>",;]+@[^\s@<>",;.]+(?:\.[^\s@<>",;.]+)*`;
/** `addr@host` or `Display Name <addr@host>`: what mail providers accept in From. */
export const SENDER = new RegExp(String.raw`^(?:[^<>\r\n]{1,200}<${ADDR}>|${ADDR})$`);

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
  from: z.string().trim().max(300).regex(SENDER, 'must be an address or "Name <address>"').nullish(),
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
