import type { Child } from 'hono/jsx';
import { type ConsoleKey, tc } from '../../i18n/console';
import type { Lang } from '../../i18n/messages';
import type { ListChange, ListHistoryEntry } from '../../services/list-activity';
import { EmailField } from './fields';
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
        <EmailField id="test-to" name="to" label={tc(lang, 'testMailTo')} value={props.to} error={props.error} autocomplete="email" />
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

/** A titled list of dated entries, newest first; `empty` when there are none. */
function Timeline(props: { lang: Lang; id: string; title: string; entries: Array<{ at: number; what: Child }> }) {
  return (
    <section aria-labelledby={props.id}>
      <h2 id={props.id}>{props.title}</h2>
      {props.entries.length === 0 ? (
        <p>{tc(props.lang, 'noChanges')}</p>
      ) : (
        <ul class="events">
          {props.entries.map((e) => (
            <li>
              {e.what}{' '}
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

/** The list's latest feed events (what mailers see), newest first. */
export function ChangesSection(props: { lang: Lang; changes: ListChange[] }) {
  const { lang } = props;
  const entries = props.changes.map((e) => ({
    at: e.at,
    what: (
      <>
        <span class={`badge change-${e.type}`}>{tc(lang, `change_${e.type}` as ConsoleKey)}</span> <span class="addr">{e.email ?? tc(lang, 'erasedAddress', { id: e.id ?? '' })}</span>
      </>
    ),
  }));
  return <Timeline lang={lang} id="changes" title={tc(lang, 'changesTitle')} entries={entries} />;
}

/** Who changed the list's settings (or sent tests), from the audit log. */
export function HistorySection(props: { lang: Lang; history: ListHistoryEntry[] }) {
  const entries = props.history.map((h) => ({
    at: h.at,
    what: (
      <>
        <code>{h.action}</code> <span class="addr">{h.actor}</span>
      </>
    ),
  }));
  return <Timeline lang={props.lang} id="history" title={tc(props.lang, 'historyTitle')} entries={entries} />;
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
