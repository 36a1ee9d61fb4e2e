import { type ConsoleKey, tc } from '../../i18n/console';
import type { Lang } from '../../i18n/messages';
import type { ListChange, ListHistoryEntry } from '../../services/list-activity';
import { utc } from './format';
import { type ConsoleView, Csrf } from './layout';

/** A test of the saved confirmation mail to an operator's address (keys not limited to lists). */
export function TestMailSection(props: { v: ConsoleView; slug: string; to?: string; error?: string }) {
  const lang = props.v.lang;
  return (
    <section aria-labelledby="test-mail">
      <h2 id="test-mail">{tc(lang, 'testMailTitle')}</h2>
      <form method="post" action={`/admin/lists/${props.slug}/test-mail`} class="stack narrow">
        <Csrf v={props.v} />
        <label for="test-to">{tc(lang, 'testMailTo')}</label>
        <input
          id="test-to"
          name="to"
          type="email"
          required
          autocomplete="email"
          value={props.to ?? ''}
          aria-invalid={props.error ? 'true' : undefined}
          aria-describedby={props.error ? 'test-to-error' : undefined}
        />
        {props.error ? (
          <p class="field-error" id="test-to-error">
            {props.error}
          </p>
        ) : null}
        <button type="submit" class="secondary">
          {tc(lang, 'testMailSend')}
        </button>
      </form>
    </section>
  );
}

/** The embed snippet, selectable as text; admin.js shows the copy button (it needs a script). */
export function SnippetSection(props: { lang: Lang; snippet: string }) {
  return (
    <section aria-labelledby="snippet">
      <h2 id="snippet">{tc(props.lang, 'snippetTitle')}</h2>
      <p>{tc(props.lang, 'snippetHint')}</p>
      <pre class="code" tabindex={0} aria-labelledby="snippet">
        <code id="snippet-code">{props.snippet}</code>
      </pre>
      <p class="copy-row">
        <button type="button" class="secondary" data-copy="snippet-code" data-copied={tc(props.lang, 'copied')} hidden>
          {tc(props.lang, 'copy')}
        </button>
        <span class="copy-status" role="status" />
      </p>
    </section>
  );
}

/** The list's latest feed events (what mailers see), newest first. */
export function ChangesSection(props: { lang: Lang; changes: ListChange[] }) {
  const { lang } = props;
  return (
    <section aria-labelledby="changes">
      <h2 id="changes">{tc(lang, 'changesTitle')}</h2>
      {props.changes.length === 0 ? (
        <p>{tc(lang, 'noChanges')}</p>
      ) : (
        <ul class="events">
          {props.changes.map((e) => (
            <li>
              <span class={`badge change-${e.type}`}>{tc(lang, `change_${e.type}` as ConsoleKey)}</span> <span class="addr">{e.email ?? tc(lang, 'erasedAddress', { id: e.id ?? '' })}</span>{' '}
              <time class="muted" datetime={new Date(e.at).toISOString()}>
                {utc(e.at)}
              </time>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** Who changed the list's settings (or sent tests), from the audit log. */
export function HistorySection(props: { lang: Lang; history: ListHistoryEntry[] }) {
  const { lang } = props;
  return (
    <section aria-labelledby="history">
      <h2 id="history">{tc(lang, 'historyTitle')}</h2>
      {props.history.length === 0 ? (
        <p>{tc(lang, 'noChanges')}</p>
      ) : (
        <ul class="events">
          {props.history.map((h) => (
            <li>
              <code>{h.action}</code> <span class="addr">{h.actor}</span>{' '}
              <time class="muted" datetime={new Date(h.at).toISOString()}>
                {utc(h.at)}
              </time>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export function DeleteSection(props: { lang: Lang; slug: string }) {
  return (
    <section aria-labelledby="delete" class="danger-zone">
      <h2 id="delete">{tc(props.lang, 'deleteTitle')}</h2>
      <p>{tc(props.lang, 'deleteHint')}</p>
      <p>
        <a class="button danger" href={`/admin/lists/${props.slug}/delete`}>
          {tc(props.lang, 'deleteButton')}…
        </a>
      </p>
    </section>
  );
}
