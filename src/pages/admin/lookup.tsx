import { type ConsoleKey, tc } from '../../i18n/console';
import type { Lang } from '../../i18n/messages';
import type { deliveryHistory, lookupSubscriber } from '../../services/subscribers';
import { EmailField } from './fields';
import { utc } from './format';
import { ConsoleLayout, type ConsoleView, Csrf, Notice, Problem, unlimited } from './layout';

export type Lookup = Awaited<ReturnType<typeof lookupSubscriber>>;
export type Deliveries = Awaited<ReturnType<typeof deliveryHistory>>;
type Subscription = Lookup['subscriptions'][number];

/** The address lookup: a form, and for a found address every list it is on, its evidence and events. */
export function LookupPage(props: { v: ConsoleView; email?: string; found?: { lookup: Lookup; deliveries: Deliveries }; notice?: string; problem?: string }) {
  const { v } = props;
  const lang = v.lang;
  return (
    <ConsoleLayout v={v} title={tc(lang, 'lookupTitle')} section="lookup">
      {props.notice ? <Notice kind="ok">{props.notice}</Notice> : null}
      <p>{tc(lang, 'lookupHint')}</p>
      <form method="post" action="/admin/subscribers" class="stack narrow" role="search">
        <Csrf v={v} />
        <EmailField id="lookup-email" name="email" label={tc(lang, 'emailLabel')} value={props.email} problemId={props.problem ? 'lookup-problem' : undefined} />
        <button type="submit">{tc(lang, 'lookUp')}</button>
      </form>
      <Problem id="lookup-problem" text={props.problem} />
      {props.found ? <Found v={v} {...props.found} /> : null}
    </ConsoleLayout>
  );
}

function Found(props: { v: ConsoleView; lookup: Lookup; deliveries: Deliveries }) {
  const { v, lookup } = props;
  const lang = v.lang;
  const s = lookup.suppression;
  return (
    <section aria-labelledby="found">
      <h2 id="found" class="addr">
        {lookup.email}
      </h2>
      {s ? <p class="notice warn">{tc(lang, 'suppressedBecause', { at: utc(s.created_at), reason: tc(lang, `reason_${s.reason}` as ConsoleKey) })}</p> : null}
      <ul class="cards">
        {lookup.subscriptions.map((sub) => (
          <SubscriptionCard v={v} email={lookup.email} sub={sub} />
        ))}
      </ul>
      <Deliveries lang={lang} rows={props.deliveries} />
      {unlimited(v) ? (
        <section aria-labelledby="erase" class="danger-zone">
          <h3 id="erase">{tc(lang, 'eraseTitle')}</h3>
          <form method="post" action="/admin/subscribers/erase">
            <Csrf v={v} />
            <input type="hidden" name="email" value={lookup.email} />
            <button type="submit" class="danger">
              {tc(lang, 'eraseButton')}
            </button>
          </form>
        </section>
      ) : null}
    </section>
  );
}

function SubscriptionCard(props: { v: ConsoleView; email: string; sub: Subscription }) {
  const { v, sub } = props;
  const lang = v.lang;
  const t = (key: ConsoleKey, vars?: Record<string, string | number>) => tc(lang, key, vars);
  const or = (x: string | null) => x ?? t('unknown');
  const times: Array<[ConsoleKey, string | null]> = [
    ['signedUp', sub.created_at],
    ['confirmedAt', sub.confirmed_at],
    ['unsubscribedAt', sub.unsubscribed_at],
    ['suppressedAt', sub.suppressed_at],
  ];
  return (
    <li class="card">
      <h3>
        <a href={`/admin/lists/${sub.list}`}>{sub.list_name}</a> <span class={`badge state-${sub.state}`}>{t(`state_${sub.state}` as ConsoleKey)}</span>
      </h3>
      <dl class="facts">
        {sub.email !== props.email ? <Fact term={t('address')} value={sub.email} /> : null}
        {sub.name ? <Fact term={t('subscriberName')} value={sub.name} /> : null}
        {times.filter(([, at]) => at).map(([key, at]) => <Fact term={t(key)} value={utc(at)} />)}
      </dl>
      <h4>{t('evidence')}</h4>
      <ul class="evidence">
        <li>{t('evidenceSignup', { ip: or(sub.signup.ip), source: or(sub.signup.source), agent: or(sub.signup.user_agent) })}</li>
        {sub.signup.consent_text ? <li>{t('evidenceConsent', { text: sub.signup.consent_text })}</li> : null}
        {sub.confirmation ? <li>{t('evidenceConfirm', { ip: or(sub.confirmation.ip), agent: or(sub.confirmation.user_agent) })}</li> : null}
        {sub.unsubscribe ? <li>{t('evidenceUnsubscribe', { source: or(sub.unsubscribe.source) })}</li> : null}
      </ul>
      {sub.state === 'pending' || sub.state === 'confirmed' ? (
        <form method="post" action="/admin/subscribers/unsubscribe">
          <Csrf v={v} />
          <input type="hidden" name="email" value={sub.email} />
          <input type="hidden" name="list" value={sub.list} />
          <button type="submit" class="secondary">
            {t('unsubscribe', { list: sub.list_name })}
          </button>
        </form>
      ) : null}
    </li>
  );
}

const Fact = (props: { term: string; value: string }) => (
  <div>
    <dt>{props.term}</dt>
    <dd>{props.value}</dd>
  </div>
);

function Deliveries(props: { lang: Lang; rows: Deliveries }) {
  const { lang } = props;
  return (
    <>
      <h3>{tc(lang, 'deliveryTitle')}</h3>
      {props.rows.length === 0 ? (
        <p>{tc(lang, 'noDelivery')}</p>
      ) : (
        <ul class="events">
          {props.rows.map((r) => (
            <li>
              <span class={`badge event-${r.type}`}>{tc(lang, `event_${r.type}` as ConsoleKey)}</span> {r.list ?? ''}{' '}
              <time class="muted" datetime={new Date(r.at).toISOString()}>
                {utc(r.at)}
              </time>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
