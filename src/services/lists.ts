import type { Deps } from '../deps';
import type { List, ListSettings } from '../db/types';
import { audit } from '../db/queries/audit';
import { deleteList, putList, rememberConsentText } from '../db/queries/lists';
import type { ListSettingsInput } from '../domain/list-settings';
import { sha256Hex } from '../domain/ids';
import { isoTime } from '../domain/time';
import type { Config } from '../config';
import { invalidInput } from '../errors';

/** The API's snake_case fields as stored columns (the consent wording's hash comes with it). */
export async function toListSettings(v: ListSettingsInput): Promise<ListSettings> {
  const mail = v.confirmation_mail ? Object.fromEntries(Object.entries(v.confirmation_mail).filter(([, text]) => text)) : {};
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
    confirmationMail: Object.keys(mail).length ? mail : null,
    consentText: v.consent_text || null,
    consentHash: v.consent_text ? await sha256Hex(v.consent_text) : null,
    replyTo: v.reply_to ?? null,
    mailFooter: v.mail_footer || null,
    reminderAfterHours: v.reminder_after_hours ?? null,
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
    confirmation_mail: l.confirmationMail ?? null,
    consent_text: l.consentText,
    reply_to: l.replyTo,
    mail_footer: l.mailFooter,
    reminder_after_hours: l.reminderAfterHours,
  } satisfies Record<keyof ListSettingsInput, unknown>;
}

/**
 * Creates or replaces a list's settings (validated input) and audits it. A reminder must come
 * before the confirmation link expires (422 otherwise); the consent wording is kept by its hash, so
 * each signup can name the version it agreed to.
 */
export async function saveList(deps: Pick<Deps, 'db' | 'clock' | 'config'>, slug: string, input: ListSettingsInput, actor: string): Promise<{ list: List; created: boolean }> {
  checkReminder(deps.config, input.reminder_after_hours);
  const now = deps.clock.now();
  const settings = await toListSettings(input);
  if (settings.consentText && settings.consentHash) await rememberConsentText(deps.db, settings.consentHash, settings.consentText, now);
  const result = await putList(deps.db, slug, settings, now);
  await audit(deps.db, { actor, action: result.created ? 'list.create' : 'list.replace', target: slug, at: now });
  return result;
}

/** A reminder after the link expired would be useless: 422 unless it comes before CONFIRM_TTL_HOURS. */
export function checkReminder(config: Pick<Config, 'CONFIRM_TTL_HOURS'>, hours: number | null | undefined): void {
  if (hours != null && hours >= config.CONFIRM_TTL_HOURS) {
    throw invalidInput([{ field: 'reminder_after_hours', code: 'too_big', message: `must be less than CONFIRM_TTL_HOURS (${config.CONFIRM_TTL_HOURS})` }]);
  }
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
