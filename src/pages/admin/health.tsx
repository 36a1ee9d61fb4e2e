import type { HealthReport, HealthStatus, RateResult } from '../../domain/health';
import { type ConsoleKey, tc } from '../../i18n/console';
import type { Lang } from '../../i18n/messages';
import { count, percent } from './format';

/** A list's verdict against the SES thresholds, in words (never colour alone). */
export function HealthBadge(props: { lang: Lang; status: HealthStatus }) {
  return <span class={`badge health-${props.status}`}>{tc(props.lang, `health_${props.status}` as ConsoleKey)}</span>;
}

/** One rate with its counts and the thresholds it is judged against. */
function RateRow(props: { lang: Lang; label: ConsoleKey; thresholds: ConsoleKey; rate: RateResult }) {
  const { lang, rate } = props;
  return (
    <div>
      <dt>{tc(lang, props.label)}</dt>
      <dd>
        <strong>{percent(rate.rate, 2)}</strong> <span class="muted">({tc(lang, 'ofCount', { count: count(lang, rate.count), total: count(lang, rate.denominator) })})</span>{' '}
        <HealthBadge lang={lang} status={rate.status} />
        <br />
        <span class="muted">{tc(lang, props.thresholds)}</span>
      </dd>
    </div>
  );
}

/** Bounce and complaint rates of the last 30 days with their verdicts. */
export function HealthRates(props: { lang: Lang; health: HealthReport }) {
  return (
    <dl class="rates">
      <RateRow lang={props.lang} label="bounceRate" thresholds="thresholdsBounce" rate={props.health.bounce} />
      <RateRow lang={props.lang} label="complaintRate" thresholds="thresholdsComplaint" rate={props.health.complaint} />
    </dl>
  );
}

/** The four counts kept per list. */
export function Counts(props: { lang: Lang; counts: { confirmed: number; pending: number; unsubscribed: number; suppressed: number } }) {
  const keys = ['confirmed', 'pending', 'unsubscribed', 'suppressed'] as const;
  return (
    <dl class="counts">
      {keys.map((k) => (
        <div>
          <dt>{tc(props.lang, k)}</dt>
          <dd>{count(props.lang, props.counts[k])}</dd>
        </div>
      ))}
    </dl>
  );
}
