import type { Scope } from '../../db/types';
import { type ConsoleKey, tc } from '../../i18n/console';
import type { keyView } from '../../services/keys';
import { utc } from './format';
import { ConsoleLayout, type ConsoleView, Csrf, Notice, Problem, SecretOnce } from './layout';

export type KeyRow = ReturnType<typeof keyView>;
const SCOPES: Scope[] = ['export', 'events', 'admin'];

/** Every key (no secrets): scopes, lists, when made and last used, revoked or a button to revoke; and a form for a new one. */
export function KeysPage(props: { v: ConsoleView; keys: KeyRow[]; notice?: string; problem?: string }) {
  const { v } = props;
  const lang = v.lang;
  const t = (key: ConsoleKey, vars?: Record<string, string | number>) => tc(lang, key, vars);
  return (
    <ConsoleLayout v={v} title={t('keysTitle')} section="keys">
      {props.notice ? <Notice kind="ok">{props.notice}</Notice> : null}
      <p>{t('keysHint')}</p>
      <ul class="cards">
        {props.keys.map((k) => (
          <li class={`card${k.revoked_at ? ' revoked' : ''}`}>
            <h2>
              <code>{k.prefix}…</code> {k.name ? <span>{k.name}</span> : null}
            </h2>
            <dl class="facts">
              <div>
                <dt>{t('keyScopes')}</dt>
                <dd>{k.scopes.join(', ')}</dd>
              </div>
              <div>
                <dt>{t('keyLists')}</dt>
                <dd>{k.lists ? k.lists.join(', ') : t('allLists')}</dd>
              </div>
              <div>
                <dt>{t('created')}</dt>
                <dd>{utc(k.created_at)}</dd>
              </div>
              <div>
                <dt>{t('lastUsed')}</dt>
                <dd>{k.last_used_at ? utc(k.last_used_at) : t('never')}</dd>
              </div>
            </dl>
            {k.revoked_at ? (
              <p class="badge revoked">{t('revoked', { at: utc(k.revoked_at) })}</p>
            ) : (
              <form method="post" action={`/admin/keys/${k.id}/revoke`}>
                <Csrf v={v} />
                <button type="submit" class="danger" aria-label={t('revokeLabel', { key: `${k.prefix}…${k.name ? ` ${k.name}` : ''}` })}>
                  {t('revoke')}
                </button>
              </form>
            )}
          </li>
        ))}
      </ul>
      <section aria-labelledby="new-key">
        <h2 id="new-key">{t('newKey')}</h2>
        <Problem id="new-key-problem" text={props.problem} />
        <form method="post" action="/admin/keys" class="stack narrow">
          <Csrf v={v} />
          <label for="key-name">{t('keyName')}</label>
          <input id="key-name" name="name" type="text" maxlength={100} autocomplete="off" />
          <fieldset>
            <legend>{t('keyScopes')}</legend>
            {SCOPES.map((s) => (
              <div class="check">
                <input type="checkbox" id={`scope-${s}`} name={`scope_${s}`} value="1" />
                <label for={`scope-${s}`}>{t(`scope_${s}` as ConsoleKey)}</label>
              </div>
            ))}
          </fieldset>
          <label for="key-lists">{t('keyListsLabel')}</label>
          <input id="key-lists" name="lists" type="text" autocomplete="off" />
          <button type="submit">{t('create')}</button>
        </form>
      </section>
    </ConsoleLayout>
  );
}

/** The new key, shown this once (the answer is never cached). */
export function NewKeyPage(props: { v: ConsoleView; secret: string; row: KeyRow }) {
  const lang = props.v.lang;
  return (
    <ConsoleLayout v={props.v} title={tc(lang, 'newKey')} section="keys">
      <Notice kind="ok">{tc(lang, 'keyCreated')}</Notice>
      <SecretOnce lang={lang} id="new-key-secret" label={tc(lang, 'keySecret')} secret={props.secret} />
      <p>
        {tc(lang, 'keyScopes')}: {props.row.scopes.join(', ')} · {tc(lang, 'keyLists')}: {props.row.lists ? props.row.lists.join(', ') : tc(lang, 'allLists')}
      </p>
      <p>
        <a href="/admin/keys">{tc(lang, 'backToKeys')}</a>
      </p>
    </ConsoleLayout>
  );
}
