import { type ConsoleKey, tc } from '../../i18n/console';
import { type Lang, type MessageKey, t } from '../../i18n/messages';
import { type ConsoleView, Csrf, Notice } from './layout';

/** The settings form's values as the browser sends them, and the problems found per field. */
export type SettingsForm = { values: Record<string, string>; errors: Record<string, string>; secretSet: boolean };

type FieldProps = {
  lang: Lang;
  form: SettingsForm;
  name: string;
  label: ConsoleKey;
  hint?: ConsoleKey;
  type?: 'text' | 'url' | 'number' | 'password';
  rows?: number;
  maxlength?: number;
  required?: boolean;
  /** What applies when the field is left empty (the list language's default wording). */
  placeholder?: string;
};

const idOf = (name: string) => `f-${name.replace(/[._]/g, '-')}`;

/** A labelled input or textarea; its problem (from the same validation as the API) is tied to it for screen readers. */
function Field(props: FieldProps) {
  const id = idOf(props.name);
  const error = props.form.errors[props.name];
  const described = [props.hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  const common = { id, name: props.name, maxlength: props.maxlength, required: props.required, placeholder: props.placeholder, 'aria-invalid': error ? 'true' : undefined, 'aria-describedby': described };
  const value = props.form.values[props.name] ?? '';
  return (
    <div class="field">
      <label for={id}>{tc(props.lang, props.label)}</label>
      {props.hint ? (
        <p class="hint" id={`${id}-hint`}>
          {tc(props.lang, props.hint)}
        </p>
      ) : null}
      {props.rows ? (
        <textarea {...common} rows={props.rows}>
          {value}
        </textarea>
      ) : (
        <input {...common} type={props.type ?? 'text'} value={props.type === 'password' ? '' : value} step={props.type === 'number' ? 'any' : undefined} autocomplete="off" />
      )}
      {error ? (
        <p class="field-error" id={`${id}-error`}>
          {error}
        </p>
      ) : null}
    </div>
  );
}

function Check(props: { lang: Lang; form: SettingsForm; name: string; label: ConsoleKey }) {
  const id = idOf(props.name);
  return (
    <div class="check">
      <input type="checkbox" id={id} name={props.name} value="1" checked={props.form.values[props.name] === '1'} />
      <label for={id}>{tc(props.lang, props.label)}</label>
    </div>
  );
}

/**
 * Every list field in one form, saved as `PUT /v1/lists/{list}` would save it. Its second button
 * posts the same fields into the preview frame; admin.js does that by itself while people type.
 */
export function SettingsSection(props: { v: ConsoleView; slug: string; form: SettingsForm; saved?: boolean }) {
  const { v, form, slug } = props;
  const lang = v.lang;
  const f = (p: Omit<FieldProps, 'lang' | 'form'>) => <Field lang={lang} form={form} {...p} />;
  const invalid = Object.keys(form.errors).length > 0;
  // Empty mail fields take the list language's own wording: shown as placeholders.
  const listLang: Lang = form.values.language === 'ja' ? 'ja' : 'en';
  const byDefault = (key: MessageKey) => t(listLang, key, { list: '{{list_name}}' });
  return (
    <section aria-labelledby="settings">
      <h2 id="settings">{tc(lang, 'settingsTitle')}</h2>
      {props.saved ? <Notice kind="ok">{tc(lang, 'settingsSaved')}</Notice> : null}
      {invalid ? <Notice kind="error">{tc(lang, 'settingsInvalid')}</Notice> : null}
      <form method="post" action={`/admin/lists/${slug}/settings`} class="stack settings" data-preview-form>
        <Csrf v={v} />
        {f({ name: 'name', label: 'nameLabel', required: true, maxlength: 200 })}
        <div class="field">
          <label for="f-language">{tc(lang, 'fieldLanguage')}</label>
          <select id="f-language" name="language">
            <option value="en" selected={form.values.language !== 'ja'}>English</option>
            <option value="ja" lang="ja" selected={form.values.language === 'ja'}>日本語</option>
          </select>
        </div>
        {f({ name: 'from', label: 'fieldFrom', hint: 'fieldFromHint', maxlength: 300 })}
        {f({ name: 'reply_to', label: 'fieldReplyTo', maxlength: 300 })}
        <div class="mail-editor">
          <fieldset>
            <legend>{tc(lang, 'mailTitle')}</legend>
            <p class="hint">{tc(lang, 'mailHint')}</p>
            {f({ name: 'confirmation_mail.subject', label: 'fieldSubject', maxlength: 200, placeholder: byDefault('mailSubject') })}
            {f({ name: 'confirmation_mail.intro', label: 'fieldIntro', rows: 5, maxlength: 2000, placeholder: byDefault('mailBody') })}
            {f({ name: 'confirmation_mail.button', label: 'fieldButton', maxlength: 60, placeholder: byDefault('mailButton') })}
            {f({ name: 'mail_footer', label: 'fieldFooter', rows: 3, maxlength: 1000 })}
            {f({ name: 'reminder_after_hours', label: 'fieldReminder', type: 'number' })}
          </fieldset>
          <Preview lang={lang} slug={slug} />
        </div>
        {f({ name: 'consent_text', label: 'fieldConsent', rows: 3, maxlength: 500 })}
        {f({ name: 'redirect_pending', label: 'fieldRedirectPending', type: 'url', maxlength: 2000 })}
        {f({ name: 'redirect_confirmed', label: 'fieldRedirectConfirmed', type: 'url', maxlength: 2000 })}
        {f({ name: 'allowed_origins', label: 'fieldOrigins', rows: 3 })}
        <Check lang={lang} form={form} name="check_mx" label="fieldCheckMx" />
        <Check lang={lang} form={form} name="block_disposable" label="fieldBlockDisposable" />
        {f({ name: 'turnstile_site_key', label: 'fieldTurnstileKey', maxlength: 200 })}
        {f({ name: 'turnstile_secret', label: 'fieldTurnstileSecret', type: 'password', maxlength: 200, hint: form.secretSet ? 'fieldTurnstileSecretSet' : undefined })}
        {form.secretSet ? <Check lang={lang} form={form} name="turnstile_secret_clear" label="fieldTurnstileClear" /> : null}
        <div class="buttons">
          <button type="submit">{tc(lang, 'save')}</button>
          <button type="submit" class="secondary" formaction={`/admin/lists/${slug}/preview`} formtarget="mail-preview" data-preview-button>
            {tc(lang, 'preview')}
          </button>
        </div>
      </form>
    </section>
  );
}

/** The mail as it would be sent, in a sandboxed frame (its own document: the mail's inline styles stay out of the console's CSP). */
function Preview(props: { lang: Lang; slug: string }) {
  return (
    <div class="preview">
      <h3 id="preview-title">{tc(props.lang, 'previewTitle')}</h3>
      <p class="hint">{tc(props.lang, 'previewNote')}</p>
      <iframe name="mail-preview" title={tc(props.lang, 'previewTitle')} src={`/admin/lists/${props.slug}/preview`} sandbox="" />
    </div>
  );
}
