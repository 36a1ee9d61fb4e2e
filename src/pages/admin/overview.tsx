import type { List } from '../../db/types';
import { tc } from '../../i18n/console';
import type { DailyRow, ListStats } from '../../services/stats';
import { Sparkline } from './chart';
import { count, percent } from './format';
import { Counts, HealthBadge, HealthRates } from './health';
import { ConsoleLayout, type ConsoleView, Csrf, Notice, Problem, unlimited } from './layout';

export type OverviewList = { list: Pick<List, 'slug' | 'name'>; stats: ListStats; daily: DailyRow[] };

/** Every list the key may see: counts, confirmation rate, a 30-day sparkline and health. */
export function OverviewPage(props: { v: ConsoleView; lists: OverviewList[]; notice?: string; problem?: string; draft?: { slug: string; name: string } }) {
  const { v } = props;
  const lang = v.lang;
  return (
    <ConsoleLayout v={v} title={tc(lang, 'overviewTitle')} section="lists">
      {props.notice ? <Notice kind="ok">{props.notice}</Notice> : null}
      {props.lists.length === 0 ? <p>{tc(lang, 'noLists')}</p> : null}
      <ul class="cards">
        {props.lists.map(({ list, stats, daily }) => {
          const signups = daily.map((d) => d.signups);
          return (
            <li class="card">
              <h2>
                <a href={`/admin/lists/${list.slug}`}>{list.name}</a> <span class="muted slug">{list.slug}</span>
              </h2>
              <p>
                <HealthBadge lang={lang} status={stats.health.status} />
              </p>
              <Counts lang={lang} counts={stats.counts} />
              <p>
                {tc(lang, 'confirmationRate')}: <strong>{percent(stats.health.confirmation.rate)}</strong>
              </p>
              <p class="spark-caption muted" aria-hidden="true">
                {tc(lang, 'sparklineCaption')}
              </p>
              <Sparkline values={signups} label={tc(lang, 'sparklineLabel', { total: count(lang, signups.reduce((a, b) => a + b, 0)), max: count(lang, Math.max(0, ...signups)) })} />
              <HealthRates lang={lang} health={stats.health} />
            </li>
          );
        })}
      </ul>
      {unlimited(v) ? (
        <section aria-labelledby="new-list">
          <h2 id="new-list">{tc(lang, 'newList')}</h2>
          <Problem id="new-list-problem" text={props.problem} />
          <form method="post" action="/admin/lists" class="stack narrow">
            <Csrf v={v} />
            <label for="new-slug">{tc(lang, 'slugLabel')}</label>
            <input id="new-slug" name="slug" type="text" required pattern="[a-z0-9][a-z0-9\-]{0,62}" maxlength={63} value={props.draft?.slug ?? ''} autocomplete="off" />
            <label for="new-name">{tc(lang, 'nameLabel')}</label>
            <input id="new-name" name="name" type="text" required maxlength={200} value={props.draft?.name ?? ''} />
            <button type="submit">{tc(lang, 'create')}</button>
          </form>
        </section>
      ) : null}
    </ConsoleLayout>
  );
}
