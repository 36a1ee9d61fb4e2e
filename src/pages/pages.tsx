import { Layout } from './layout';
import { TURNSTILE_SCRIPT } from './turnstile';
import { type Lang, type MessageKey, t } from '../i18n/messages';

type ListInfo = { slug: string; name: string; turnstileSiteKey?: string | null; consentText?: string | null };

export type SignupProblem = { message: string; suggestion?: string };

/**
 * The hosted signup form. After a failed browser post it comes back with the problem above the
 * form and, for a likely typo, a second one-button form that posts the corrected address: the
 * "Did you mean" fix works without JavaScript.
 */
export function SignupPage(props: { lang: Lang; list: ListInfo; problem?: SignupProblem; email?: string; name?: string }) {
  const { lang, list, problem } = props;
  const title = t(lang, 'signupTitle', { list: list.name });
  const action = `/lists/${list.slug}/subscribe`;
  return (
    <Layout lang={lang} title={title}>
      {problem ? (
        <div class="notice error" role="alert" id="signup-problem">
          <p>{problem.message}</p>
          {problem.suggestion ? <p>{t(lang, 'didYouMean', { email: problem.suggestion })}</p> : null}
        </div>
      ) : null}
      {problem?.suggestion ? (
        <form method="post" action={action} class="suggestion">
          <input type="hidden" name="email" value={problem.suggestion} />
          {props.name ? <input type="hidden" name="name" value={props.name} /> : null}
          <button type="submit">{t(lang, 'useSuggestion', { email: problem.suggestion })}</button>
        </form>
      ) : null}
      <form method="post" action={action}>
        <label for="email">{t(lang, 'emailLabel')}</label>
        <input
          id="email"
          name="email"
          type="email"
          required
          autocomplete="email"
          maxlength={254}
          value={props.email ?? ''}
          aria-invalid={problem ? 'true' : undefined}
          aria-describedby={problem ? 'signup-problem' : undefined}
        />
        <label for="name">{t(lang, 'nameLabel')}</label>
        <input id="name" name="name" type="text" autocomplete="name" maxlength={200} value={props.name ?? ''} />
        <div class="hp" aria-hidden="true">
          <label for="_gotcha">Leave this empty</label>
          <input id="_gotcha" name="_gotcha" type="text" tabindex={-1} autocomplete="off" />
        </div>
        {props.list.turnstileSiteKey ? <div class="cf-turnstile" data-sitekey={props.list.turnstileSiteKey} /> : null}
        <button type="submit">{t(lang, 'subscribe')}</button>
      </form>
      {list.consentText ? <Consent lang={lang} text={list.consentText} /> : null}
      {/* Cloudflare's widget script, loaded as a file (CSP allows only its origin; no inline script). */}
      {props.list.turnstileSiteKey ? <script src={TURNSTILE_SCRIPT} async defer /> : null}
    </Layout>
  );
}

/** The wording a person agrees to by signing up, under the form (paragraphs kept). */
export function Consent(props: { lang: Lang; text: string }) {
  return (
    <div class="consent">
      <p>{t(props.lang, 'consentLabel')}</p>
      {props.text.split(/\n\s*\n/).map((p) => (
        <p>{p}</p>
      ))}
    </div>
  );
}

/**
 * After a browser signup: what to do next, said plainly. It names the sender to look for, mentions
 * the spam folder, and offers a button to the person's webmail when the provider is known.
 */
export function CheckInboxPage(props: { lang: Lang; list: string; sender: string; inbox?: { name: string; url: string } }) {
  const { lang } = props;
  return (
    <Layout lang={lang} title={t(lang, 'checkInboxTitle')}>
      <p>{t(lang, 'checkInboxBody', { list: props.list })}</p>
      <p>{t(lang, 'checkInboxSender', { sender: props.sender })}</p>
      {props.inbox ? (
        <p>
          <a class="button" href={props.inbox.url} rel="noopener noreferrer" target="_blank">
            {t(lang, 'checkInboxOpen', { provider: props.inbox.name })}
          </a>
        </p>
      ) : null}
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

/** Browser error pages: known problems get a translated title and text, others the problem's detail (en). */
export function ErrorPage(props: { lang: Lang; code: string; detail: string }) {
  const known: Record<string, [MessageKey, MessageKey]> = {
    gone: ['expiredTitle', 'expiredBody'],
    invalid_token: ['invalidLinkTitle', 'invalidLinkBody'],
    not_found: ['notFoundTitle', 'notFoundBody'],
    rate_limited: ['rateLimitedTitle', 'rateLimitedBody'],
  };
  const [title, body] = known[props.code] ?? ['errorTitle', undefined];
  const detail = body ? undefined : props.lang === 'en' ? props.detail : undefined;
  return <MessagePage lang={props.lang} title={title} body={body ?? (detail ? undefined : 'errorBody')} detail={detail} />;
}
