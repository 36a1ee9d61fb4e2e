import { type ConsoleKey, tc } from '../../i18n/console';
import type { Lang } from '../../i18n/messages';
import type { DailyRow, Funnel } from '../../services/stats';
import { LineChart, type Series } from './chart';
import { count, duration, percent } from './format';

type Column = { key: keyof Omit<DailyRow, 'date'>; label: ConsoleKey; tone: Series['tone'] };
const SIGNUPS: Column[] = [
  { key: 'signups', label: 'signups', tone: 'a' },
  { key: 'confirmed', label: 'confirmed', tone: 'b' },
];
const LOSSES: Column[] = [
  { key: 'unsubscribed', label: 'unsubscribed', tone: 'c' },
  { key: 'bounced', label: 'bounced', tone: 'd' },
  { key: 'complained', label: 'complained', tone: 'e' },
];

/** "Signups: 120 in all, at most 14 a day." for each series: the chart's description in words. */
function summary(lang: Lang, daily: DailyRow[], columns: Column[]): string {
  return columns
    .map((c) => {
      const values = daily.map((d) => d[c.key]);
      return tc(lang, 'chartTotals', { series: tc(lang, c.label), total: count(lang, values.reduce((a, b) => a + b, 0)), max: count(lang, Math.max(0, ...values)) });
    })
    .join(' ');
}

/** The last 30 or 90 days from the daily stats: two charts and the same numbers as a table. */
export function ActivitySection(props: { lang: Lang; slug: string; days: number; daily: DailyRow[] }) {
  const { lang, daily, days } = props;
  const from = daily[0]?.date ?? '';
  const to = daily[daily.length - 1]?.date ?? '';
  const chart = (id: string, title: ConsoleKey, columns: Column[]) => (
    <LineChart
      id={id}
      title={tc(lang, title, { days })}
      desc={tc(lang, 'chartDesc', { from, to, summary: summary(lang, daily, columns) })}
      dates={daily.map((d) => d.date)}
      series={columns.map((c) => ({ label: tc(lang, c.label), tone: c.tone, values: daily.map((d) => d[c.key]) }))}
    />
  );
  return (
    <section aria-labelledby="activity">
      <h2 id="activity">{tc(lang, 'activity')}</h2>
      <p class="switch">
        {[30, 90].map((n) => (
          <a href={`/admin/lists/${props.slug}?days=${n}`} aria-current={n === days ? 'page' : undefined}>
            {tc(lang, 'daysLink', { days: n })}
          </a>
        ))}
      </p>
      <div class="charts">
        {chart('chart-signups', 'chartSignupsTitle', SIGNUPS)}
        {chart('chart-losses', 'chartLossesTitle', LOSSES)}
      </div>
      <details>
        <summary>{tc(lang, 'dataTable')}</summary>
        <div class="table-wrap" tabindex={0} role="region" aria-label={tc(lang, 'dataTable')}>
          <table>
            <thead>
              <tr>
                <th scope="col">{tc(lang, 'date')}</th>
                {[...SIGNUPS, ...LOSSES].map((c) => (
                  <th scope="col">{tc(lang, c.label)}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {[...daily].reverse().map((d) => (
                <tr>
                  <th scope="row">{d.date}</th>
                  {[...SIGNUPS, ...LOSSES].map((c) => (
                    <td>{count(lang, d[c.key])}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </section>
  );
}

const PROVIDERS = { gmail: 'Gmail', outlook: 'Outlook', yahoo: 'Yahoo', icloud: 'iCloud', proton: 'Proton', other: '' } as const;

/** The confirmation funnel of the window's signups, by mailbox provider. */
export function FunnelSection(props: { lang: Lang; funnel: Funnel }) {
  const { lang, funnel } = props;
  const row = (name: string, r: { signups: number; confirmed: number; confirmation_rate: number | null }, total = false) => (
    <tr class={total ? 'total' : undefined}>
      <th scope="row">{name}</th>
      <td>{count(lang, r.signups)}</td>
      <td>{count(lang, r.confirmed)}</td>
      <td>{percent(r.confirmation_rate)}</td>
    </tr>
  );
  return (
    <section aria-labelledby="funnel">
      <h2 id="funnel">{tc(lang, 'funnelTitle', { days: funnel.days })}</h2>
      <table>
        <thead>
          <tr>
            <th scope="col">{tc(lang, 'provider')}</th>
            <th scope="col">{tc(lang, 'signups')}</th>
            <th scope="col">{tc(lang, 'confirmed')}</th>
            <th scope="col">{tc(lang, 'rate')}</th>
          </tr>
        </thead>
        <tbody>
          {Object.entries(PROVIDERS).map(([key, name]) => row(key === 'other' ? tc(lang, 'otherProvider') : name, funnel.by_provider[key as keyof typeof PROVIDERS]))}
          {row(tc(lang, 'total'), funnel, true)}
        </tbody>
      </table>
      <p>{tc(lang, 'mailsSent', { count: count(lang, funnel.mails_sent) })}</p>
      <p>{funnel.median_seconds_to_confirm === null ? tc(lang, 'noMedian') : tc(lang, 'medianToConfirm', { time: duration(lang, funnel.median_seconds_to_confirm) })}</p>
    </section>
  );
}
