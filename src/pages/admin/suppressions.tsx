import { type ConsoleKey, tc } from '../../i18n/console';
import type { suppressionPage } from '../../services/suppressions';
import { EmailField } from './fields';
import { utc } from './format';
import { ConsoleLayout, type ConsoleView, Csrf, Notice, Problem } from './layout';

export type SuppressionPageData = Awaited<ReturnType<typeof suppressionPage>>;

/** The suppression list, newest first a page at a time; add an address; lift one (a complaint or erasure only with `force`). */
export function SuppressionsPage(props: { v: ConsoleView; page: SuppressionPageData; first: boolean; notice?: string; problem?: string; email?: string }) {
  const { v, page } = props;
  const lang = v.lang;
  const t = (key: ConsoleKey, vars?: Record<string, string | number>) => tc(lang, key, vars);
  return (
    <ConsoleLayout v={v} title={t('suppressionsTitle')} section="suppressions">
      {props.notice ? <Notice kind="ok">{props.notice}</Notice> : null}
      <Problem id="suppression-problem" text={props.problem} />
      <p>{t('suppressionsHint')}</p>
      <div class="forms">
        <form method="post" action="/admin/suppressions" class="stack narrow" aria-labelledby="add-suppression">
          <h2 id="add-suppression">{t('addSuppression')}</h2>
          <Csrf v={v} />
          <EmailField id="suppress-email" name="email" label={t('emailLabel')} value={props.email} problemId={props.problem ? 'suppression-problem' : undefined} />
          <button type="submit">{t('suppress')}</button>
        </form>
        <form method="post" action="/admin/suppressions/lift" class="stack narrow" aria-labelledby="lift-suppression">
          <h2 id="lift-suppression">{t('liftTitle')}</h2>
          <Csrf v={v} />
          <EmailField id="lift-email" name="email" label={t('emailLabel')} />
          <div class="check">
            <input type="checkbox" id="lift-force" name="force" value="1" />
            <label for="lift-force">{t('force')}</label>
          </div>
          <button type="submit" class="secondary">
            {t('lift')}
          </button>
        </form>
      </div>
      {page.data.length === 0 ? (
        <p>{t('noSuppressions')}</p>
      ) : (
        <ul class="cards">
          {page.data.map((s) => (
            <li class="card">
              <h2 class="addr">{s.email ?? t('erasedHash', { hash: s.hash.slice(0, 12) })}</h2>
              <p>
                <span class={`badge reason-${s.reason}`}>{t(`reason_${s.reason}` as ConsoleKey)}</span> <span class="muted">{utc(s.created_at)}</span>
              </p>
              {s.source ? <p class="muted">{t('source')}: {s.source}</p> : null}
              {s.email ? (
                <form method="post" action="/admin/suppressions/lift">
                  <Csrf v={v} />
                  <input type="hidden" name="email" value={s.email} />
                  {s.reason === 'complaint' || s.reason === 'erased' ? (
                    <div class="check">
                      <input type="checkbox" id={`force-${s.hash}`} name="force" value="1" />
                      <label for={`force-${s.hash}`}>{t('force')}</label>
                    </div>
                  ) : null}
                  <button type="submit" class="secondary" aria-label={t('liftLabel', { email: s.email })}>
                    {t('lift')}
                  </button>
                </form>
              ) : null}
            </li>
          ))}
        </ul>
      )}
      <p class="pager">
        {!props.first ? <a href="/admin/suppressions">{t('firstPage')}</a> : null}
        {page.next_cursor ? <a href={`/admin/suppressions?cursor=${page.next_cursor}`}>{t('nextPage')}</a> : null}
      </p>
    </ConsoleLayout>
  );
}
