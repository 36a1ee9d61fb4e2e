import { Layout } from './layout';
import { type Lang, type MessageKey, t } from './i18n';

type ListInfo = { slug: string; name: string; turnstileSiteKey?: string | null };

export function SignupPage(props: { lang: Lang; list: ListInfo; error?: string; email?: string }) {
  const title = t(props.lang, 'signupTitle', { list: props.list.name });
  return (
    <Layout lang={props.lang} title={title}>
      {props.error ? (
        <p class="error" role="alert">
          {props.error}
        </p>
      ) : null}
      <form method="post" action={`/lists/${props.list.slug}/subscribe`}>
        <label for="email">{t(props.lang, 'emailLabel')}</label>
        <input id="email" name="email" type="email" required autocomplete="email" maxlength={254} value={props.email ?? ''} />
        <label for="name">{t(props.lang, 'nameLabel')}</label>
        <input id="name" name="name" type="text" autocomplete="name" maxlength={200} />
        <div class="hp" aria-hidden="true">
          <label for="_gotcha">Leave this empty</label>
          <input id="_gotcha" name="_gotcha" type="text" tabindex={-1} autocomplete="off" />
        </div>
        {props.list.turnstileSiteKey ? <div class="cf-turnstile" data-sitekey={props.list.turnstileSiteKey} /> : null}
        <button type="submit">{t(props.lang, 'subscribe')}</button>
      </form>
      {/* Cloudflare's widget script, loaded as a file (CSP allows only its origin; no inline script). */}
      {props.list.turnstileSiteKey ? <script src="https://challenges.cloudflare.com/turnstile/v0/api.js" async defer /> : null}
    </Layout>
  );
}

/** A page with one button that POSTs the token: GET never changes anything, and no script submits it. */
export function ActionPage(props: { lang: Lang; list?: string; action: string; token: string; title: MessageKey; body: MessageKey; button: MessageKey }) {
  return (
    <Layout lang={props.lang} title={t(props.lang, props.title)}>
      <p>{t(props.lang, props.body, { list: props.list ?? '' })}</p>
      <form method="post" action={props.action}>
        <input type="hidden" name="token" value={props.token} />
        <button type="submit">{t(props.lang, props.button)}</button>
      </form>
    </Layout>
  );
}

export function MessagePage(props: { lang: Lang; title: MessageKey; body?: MessageKey; list?: string; detail?: string }) {
  return (
    <Layout lang={props.lang} title={t(props.lang, props.title)}>
      {props.body ? <p>{t(props.lang, props.body, { list: props.list ?? '' })}</p> : null}
      {props.detail ? <p>{props.detail}</p> : null}
    </Layout>
  );
}
