import type { Deps } from '../deps';
import type { List, ListSettings } from '../db/types';
import { audit } from '../db/queries/audit';
import { deleteList, putList } from '../db/queries/lists';
import type { ListSettingsInput } from '../domain/list-settings';
import { isoTime } from '../domain/time';

/** The API's snake_case fields as stored columns. */
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

/**
 * The inverse of toListSettings: a stored list as the body of `PUT /v1/lists/{list}`, secrets
 * included, so a change to some fields (`listgate lists update`) can be merged over the rest.
 */
export function settingsInputOf(l: List) {
  return {
    name: l.name,
    from: l.from,
    language: l.language,
    redirect_pending: l.redirectPending,
    redirect_confirmed: l.redirectConfirmed,
    allowed_origins: l.allowedOrigins,
    turnstile_site_key: l.turnstileSiteKey,
    turnstile_secret: l.turnstileSecret,
    check_mx: l.checkMx,
    block_disposable: l.blockDisposable,
  } satisfies Record<keyof ListSettingsInput, unknown>;
}

/** Creates or replaces a list's settings (validated input) and audits it. */
export async function saveList(deps: Pick<Deps, 'db' | 'clock'>, slug: string, input: ListSettingsInput, actor: string): Promise<{ list: List; created: boolean }> {
  const now = deps.clock.now();
  const result = await putList(deps.db, slug, toListSettings(input), now);
  await audit(deps.db, { actor, action: result.created ? 'list.create' : 'list.replace', target: slug, at: now });
  return result;
}

/** Removes a list and its subscriptions (suppressions and erasures stay); audited. */
export async function removeList(deps: Pick<Deps, 'db' | 'atomic' | 'clock'>, list: List, actor: string): Promise<void> {
  await deleteList(deps.atomic, list.id);
  await audit(deps.db, { actor, action: 'list.delete', target: list.slug, detail: { confirmed: list.countConfirmed, pending: list.countPending }, at: deps.clock.now() });
}

/** A list as operators see it; the Turnstile secret never leaves, only whether one is set. */
export function listView(l: List) {
  const { turnstile_secret: secret, ...settings } = settingsInputOf(l);
  return {
    slug: l.slug,
    ...settings,
    turnstile_secret_set: secret !== null,
    counts: { pending: l.countPending, confirmed: l.countConfirmed, unsubscribed: l.countUnsubscribed, suppressed: l.countSuppressed },
    created_at: isoTime(l.createdAt),
    updated_at: isoTime(l.updatedAt),
  };
}
