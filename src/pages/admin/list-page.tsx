import type { List } from '../../db/types';
import { tc } from '../../i18n/console';
import type { ListChange, ListHistoryEntry } from '../../services/list-activity';
import type { DailyRow, Funnel, ListStats } from '../../services/stats';
import { percent } from './format';
import { Counts, HealthBadge, HealthRates } from './health';
import { ConsoleLayout, type ConsoleView, Notice, unlimited } from './layout';
import { ChangesSection, DeleteSection, HistorySection, SnippetSection, TestMailSection } from './list-extras';
import { type SettingsForm, SettingsSection } from './list-settings';
import { ActivitySection, FunnelSection } from './list-stats';

export type ListPageData = {
  list: List;
  hostedUrl: string;
  days: number;
  stats: ListStats;
  funnel: Funnel;
  daily: DailyRow[];
  changes: ListChange[];
  history: ListHistoryEntry[];
  snippet: string;
  form: SettingsForm;
  /** What the last action did: the settings saved, the list created, a test mail queued. */
  notice?: string;
  saved?: boolean;
  testMail?: { to: string; error?: string };
};

/** A list's page: numbers and health, charts, the funnel, every setting with the mail preview, the snippet, recent changes. */
export function ListPage(props: { v: ConsoleView; data: ListPageData }) {
  const { v, data } = props;
  const { lang } = v;
  const { list, stats } = data;
  return (
    <ConsoleLayout v={v} title={list.name} section="lists">
      <p class="muted">
        <code>{list.slug}</code> · <a href={data.hostedUrl}>{tc(lang, 'hostedPage')}</a> · <a href={`/admin/lists/${list.slug}/imports`}>{tc(lang, 'importsLink')}</a>
      </p>
      {data.notice ? <Notice kind="ok">{data.notice}</Notice> : null}
      <section aria-labelledby="numbers">
        <h2 id="numbers">{tc(lang, 'numbers')}</h2>
        <Counts lang={lang} counts={stats.counts} />
        <p>
          {tc(lang, 'confirmationRate')}: <strong>{percent(stats.health.confirmation.rate)}</strong>
        </p>
      </section>
      <ActivitySection lang={lang} slug={list.slug} days={data.days} daily={data.daily} />
      <FunnelSection lang={lang} funnel={data.funnel} />
      <section aria-labelledby="health">
        <h2 id="health">
          {tc(lang, 'healthTitle')} <HealthBadge lang={lang} status={stats.health.status} />
        </h2>
        <HealthRates lang={lang} health={stats.health} />
        <p class="muted">{tc(lang, 'volume', { count: stats.health.volume })}</p>
      </section>
      <SettingsSection v={v} slug={list.slug} form={data.form} saved={data.saved} />
      {unlimited(v) ? <TestMailSection v={v} slug={list.slug} to={data.testMail?.to} error={data.testMail?.error} /> : null}
      <SnippetSection lang={lang} snippet={data.snippet} />
      <ChangesSection lang={lang} changes={data.changes} />
      <HistorySection lang={lang} history={data.history} />
      <DeleteSection lang={lang} slug={list.slug} />
    </ConsoleLayout>
  );
}
