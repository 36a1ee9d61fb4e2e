import type { Child } from 'hono/jsx';
import type { Principal } from '../../deps';
import { type ConsoleKey, tc } from '../../i18n/console';
import type { Lang } from '../../i18n/messages';
import type { MailHealth } from '../../services/health';
import { Document } from '../layout';
import { count, duration } from './format';

/** What every console page knows about the request: language, who is signed in, the mail's health. */
export type ConsoleView = {
  lang: Lang;
  /** The path the language switch reloads (a page that answers GET). */
  here: string;
  session?: { principal: Principal; csrf: string };
  mail?: MailHealth;
};

/** Whether the signed-in key may use pages that span lists (keys, suppressions, webhooks, erasure, test mail). */
export const unlimited = (v: ConsoleView) => !!v.session && v.session.principal.lists === null;

/** The hidden CSRF field every console form carries. */
export const Csrf = (props: { v: ConsoleView }) => <input type="hidden" name="_csrf" value={props.v.session?.csrf ?? ''} />;

/** A notice at the top of a page: `role="status"` for news, `role="alert"` for problems. */
export function Notice(props: { kind: 'ok' | 'error'; children?: Child }) {
  return (
    <div class={`notice ${props.kind}`} role={props.kind === 'error' ? 'alert' : 'status'}>
      {props.children}
    </div>
  );
}

/** A problem with what was sent, when there is one; `id` lets the field it concerns point at it (aria-describedby). */
export function Problem(props: { id: string; text?: string }) {
  return props.text ? (
    <Notice kind="error">
      <p id={props.id}>{props.text}</p>
    </Notice>
  ) : null;
}

/** A secret shown this once (a new key, a webhook's signing secret), with a copy button (admin.js). */
export function SecretOnce(props: { lang: Lang; id: string; label: string; secret: string }) {
  const { lang, id } = props;
  return (
    <>
      <h2 id={`${id}-label`}>{props.label}</h2>
      <pre class="code secret" tabindex={0} aria-labelledby={`${id}-label`}>
        <code id={id}>{props.secret}</code>
      </pre>
      <p class="copy-row">
        <button type="button" class="secondary" data-copy={id} data-copied={tc(lang, 'copied')} hidden>
          {tc(lang, 'copy')}
        </button>
        <span class="copy-status" role="status" />
      </p>
    </>
  );
}

/**
 * Every console page: its own stylesheet and one small script (src/public, so the CSP needs no
 * inline code), a skip link, the navigation, the mail banner and the page's title as its h1.
 */
export function ConsoleLayout(props: { v: ConsoleView; title: string; section?: 'lists' | 'lookup' | 'keys' | 'suppressions' | 'imports' | 'webhooks'; children?: Child }) {
  const { v } = props;
  const t = (key: ConsoleKey, vars?: Record<string, string | number>) => tc(v.lang, key, vars);
  const other: Lang = v.lang === 'en' ? 'ja' : 'en';
  const head = (
    <>
      <link rel="icon" href="data:," />
      <link rel="stylesheet" href="/assets/admin.css" />
      <script src="/assets/admin.js" defer />
    </>
  );
  return (
    <Document lang={v.lang} title={`${props.title} · listgate`} head={head}>
      <a class="skip" href="#main">
        {t('skip')}
      </a>
      <header class="top">
        <a class="brand" href="/admin">
          {t('brand')}
        </a>
        {v.session ? <Nav v={v} section={props.section} /> : null}
        <div class="tools">
          <a href={`${v.here}?lang=${other}`} lang={other} hreflang={other}>
            {t('otherLanguage')}
          </a>
          {v.session ? (
            <form method="post" action="/admin/sign-out" class="inline">
              <Csrf v={v} />
              <button type="submit" class="link">
                {t('signOut')}
              </button>
            </form>
          ) : null}
        </div>
      </header>
      {v.mail ? <MailBanner v={v} mail={v.mail} /> : null}
      <main id="main" tabindex={-1}>
        <h1>{props.title}</h1>
        {props.children}
      </main>
    </Document>
  );
}

function Nav(props: { v: ConsoleView; section?: string }) {
  const t = (key: ConsoleKey) => tc(props.v.lang, key);
  const item = (section: string, href: string, key: ConsoleKey) => (
    <li>
      <a href={href} aria-current={props.section === section ? 'page' : undefined}>
        {t(key)}
      </a>
    </li>
  );
  const who = props.v.session!.principal;
  return (
    <nav aria-label={t('nav')}>
      <ul>
        {item('lists', '/admin', 'navOverview')}
        {item('lookup', '/admin/subscribers', 'navLookup')}
        {unlimited(props.v) ? item('keys', '/admin/keys', 'navKeys') : null}
        {unlimited(props.v) ? item('suppressions', '/admin/suppressions', 'navSuppressions') : null}
        {item('imports', '/admin/imports', 'navImports')}
        {unlimited(props.v) ? item('webhooks', '/admin/webhooks', 'navWebhooks') : null}
      </ul>
      <p class="who">
        {tc(props.v.lang, 'signedInAs', { key: who.id })}
        {who.lists ? ` (${tc(props.v.lang, 'limitedTo', { lists: who.lists.join(', ') })})` : ''}
      </p>
    </nav>
  );
}

/** Mail waits more than this long before the console says so. */
const SLOW_MAIL_SECONDS = 15 * 60;

/** Shown on every page while mail is failing (the outbox detail of /healthz), so a bad provider key is seen the same day. */
function MailBanner(props: { v: ConsoleView; mail: MailHealth }) {
  const { lang } = props.v;
  const { outbox, error } = props.mail;
  const slow = outbox.oldest_waiting_seconds !== null && outbox.oldest_waiting_seconds >= SLOW_MAIL_SECONDS;
  if (outbox.transport === 'ok' && outbox.failures_last_hour === 0 && !slow) return null;
  const failing = outbox.transport === 'refusing';
  return (
    <section class={`banner ${failing ? 'bad' : 'warn'}`} role="alert" aria-labelledby="mail-banner-title">
      <h2 id="mail-banner-title">{tc(lang, failing ? 'mailFailingTitle' : 'mailTroubleTitle')}</h2>
      {failing ? <p>{tc(lang, 'mailFailing', { count: count(lang, outbox.failures_last_hour) })}</p> : null}
      {failing && error ? <p class="said">{tc(lang, 'mailFailingSaid', { error })}</p> : null}
      {!failing && outbox.failures_last_hour ? <p>{tc(lang, 'mailSomeFailed', { count: count(lang, outbox.failures_last_hour) })}</p> : null}
      {slow ? <p>{tc(lang, 'mailWaiting', { time: duration(lang, outbox.oldest_waiting_seconds!) })}</p> : null}
    </section>
  );
}
