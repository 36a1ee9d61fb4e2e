import type { List } from '../../db/types';
import type { FieldError } from '../../errors';
import type { SettingsForm } from '../../pages/admin/list-settings';
import { settingsInputOf } from '../../services/lists';

const MAIL_FIELDS = ['subject', 'intro', 'button'] as const;

/** A saved list as the form shows it: every field as text, booleans as "1". */
export function formOfList(list: List): SettingsForm {
  const s = settingsInputOf(list);
  const values: Record<string, string> = {
    name: s.name,
    language: s.language,
    from: s.from ?? '',
    reply_to: s.reply_to ?? '',
    mail_footer: s.mail_footer ?? '',
    reminder_after_hours: s.reminder_after_hours === null ? '' : String(s.reminder_after_hours),
    consent_text: s.consent_text ?? '',
    redirect_pending: s.redirect_pending ?? '',
    redirect_confirmed: s.redirect_confirmed ?? '',
    allowed_origins: s.allowed_origins.join('\n'),
    check_mx: s.check_mx ? '1' : '',
    block_disposable: s.block_disposable ? '1' : '',
    turnstile_site_key: s.turnstile_site_key ?? '',
  };
  for (const k of MAIL_FIELDS) values[`confirmation_mail.${k}`] = s.confirmation_mail?.[k] ?? '';
  return { values, errors: {}, secretSet: s.turnstile_secret !== null };
}

/**
 * The form's fields as the body of `PUT /v1/lists/{list}`, for the same schema to validate: empty
 * text is "not set", origins one per line, a blank secret keeps the saved one unless removal is ticked.
 */
export function settingsOfForm(f: Record<string, string>, list: List): Record<string, unknown> {
  const text = (k: string) => (f[k] ?? '').trim() || null;
  const reminder = text('reminder_after_hours');
  return {
    ...previewOfForm(f),
    redirect_pending: text('redirect_pending'),
    redirect_confirmed: text('redirect_confirmed'),
    allowed_origins: (f.allowed_origins ?? '').split(/\s+/).filter(Boolean),
    turnstile_site_key: text('turnstile_site_key'),
    turnstile_secret: f.turnstile_secret_clear === '1' ? null : (text('turnstile_secret') ?? list.turnstileSecret),
    check_mx: f.check_mx === '1',
    block_disposable: f.block_disposable === '1',
    consent_text: text('consent_text'),
    reminder_after_hours: reminder === null ? null : Number(reminder),
  };
}

/** The fields that shape the confirmation mail, as the preview takes them. */
export function previewOfForm(f: Record<string, string>) {
  const text = (k: string) => (f[k] ?? '').trim() || null;
  const mail = Object.fromEntries(MAIL_FIELDS.flatMap((k) => (text(`confirmation_mail.${k}`) ? [[k, f[`confirmation_mail.${k}`]]] : [])));
  return {
    name: f.name ?? '',
    from: text('from'),
    language: f.language === 'ja' ? 'ja' : 'en',
    reply_to: text('reply_to'),
    mail_footer: text('mail_footer'),
    confirmation_mail: Object.keys(mail).length ? mail : null,
  };
}

/** Field errors of the shared validation, by form field (the message of the first problem of each). */
export function errorsByField(errors: FieldError[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of errors) {
    const field = e.field.startsWith('allowed_origins') ? 'allowed_origins' : e.field;
    out[field] ??= e.message;
  }
  return out;
}

/** The submitted values kept as typed, so a refused form comes back as the operator left it. */
export function formOfSubmission(f: Record<string, string>, list: List, errors: Record<string, string>): SettingsForm {
  return { values: { ...f, turnstile_secret: '' }, errors, secretSet: list.turnstileSecret !== null };
}
