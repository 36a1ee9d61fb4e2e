import { z } from 'zod';
import type { List, ListSettings } from '../db/queries/lists';

export const LIST_SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;

const ADDR = String.raw`[^\s@<>",;]+@[^\s@<>",;.]+(?:\.[^\s@<>",;.]+)*`;
/** `addr@host` or `Display Name <addr@host>`: what mail providers accept in From. */
export const SENDER = new RegExp(String.raw`^(?:[^<>\r\n]{1,200}<${ADDR}>|${ADDR})$`);

const httpUrl = z
  .string()
  .max(2000)
  .refine((v) => {
    try {
      const u = new URL(v);
      return (u.protocol === 'http:' || u.protocol === 'https:') && u.host !== '';
    } catch {
      return false;
    }
  }, 'must be an absolute http(s) URL');

// An origin is what browsers send in `Origin`: scheme, host and an optional port, nothing more.
const origin = z
  .string()
  .max(300)
  .refine((v) => {
    try {
      const u = new URL(v);
      return (u.protocol === 'http:' || u.protocol === 'https:') && u.origin === v.replace(/\/$/, '').toLowerCase();
    } catch {
      return false;
    }
  }, 'must be an origin like https://example.com (scheme, host and optional port, no path)')
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

export function toListSettings(v: ListSettingsInput): ListSettings {
  return {
    name: v.name,
    from: v.from ?? null,
    language: v.language,
    redirectPending: v.redirect_pending ?? null,
    redirectConfirmed: v.redirect_confirmed ?? null,
    allowedOrigins: [...new Set(v.allowed_origins)],
    turnstileSiteKey: v.turnstile_site_key ?? null,
    turnstileSecret: v.turnstile_secret ?? null,
    checkMx: v.check_mx,
    blockDisposable: v.block_disposable,
  };
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** A list as operators see it; the Turnstile secret never leaves, only whether one is set. */
export function listView(l: List) {
  return {
    slug: l.slug,
    name: l.name,
    from: l.from,
    language: l.language,
    redirect_pending: l.redirectPending,
    redirect_confirmed: l.redirectConfirmed,
    allowed_origins: l.allowedOrigins,
    turnstile_site_key: l.turnstileSiteKey,
    turnstile_secret_set: l.turnstileSecret !== null,
    check_mx: l.checkMx,
    block_disposable: l.blockDisposable,
    counts: { pending: l.countPending, confirmed: l.countConfirmed, unsubscribed: l.countUnsubscribed, suppressed: l.countSuppressed },
    created_at: iso(l.createdAt),
    updated_at: iso(l.updatedAt),
  };
}
