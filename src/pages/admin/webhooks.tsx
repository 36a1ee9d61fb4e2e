import { type ConsoleKey, tc } from '../../i18n/console';
import type { Lang } from '../../i18n/messages';
import { webhookEventNames } from '../../domain/webhook-payload';
import type { webhookAttempts, webhookView } from '../../services/webhooks';
import { count, utc } from './format';
import { ConsoleLayout, type ConsoleView, Csrf, Notice, Problem, SecretOnce } from './layout';

export type WebhookSummary = ReturnType<typeof webhookView>;
export type Attempt = Awaited<ReturnType<typeof webhookAttempts>>['data'][number];
export type WebhookDraft = { url?: string; events?: string[]; lists?: string };

type T = (key: ConsoleKey, vars?: Record<string, string | number>) => string;
const words = (lang: Lang): T => (key, vars) => tc(lang, key, vars);

/** active, failing since…, or disabled since… and why: what an operator must notice first. */
function WebhookStatus(props: { t: T; w: WebhookSummary }) {
  const { t, w } = props;
  if (w.status === 'disabled')
    return (
      <div class="notice error">
        <p>
          <strong class="badge revoked">{t('webhook_disabled', { at: utc(w.disabled_at) })}</strong>
        </p>
        <p>{t('webhookDisabledWhy', { reason: w.disabled_reason ?? '' })}</p>
      </div>
    );
  if (w.status === 'failing')
    return (
      <p>
        <span class="badge health-warning">{t('webhook_failing', { at: utc(w.failing_since) })}</span> {t('webhookFailingWhy')}
      </p>
    );
  return (
    <p>
      <span class="badge health-ok">{t('webhook_active')}</span>
    </p>
  );
}

/** One attempt in words: its outcome, the answer's status or the error, and when. */
function AttemptLine(props: { t: T; a: Attempt | undefined }) {
  const { t, a } = props;
  if (!a) return <>{t('noDeliveries')}</>;
  return (
    <>
      <span class={`badge outcome-${a.outcome}`}>{t(`outcome_${a.outcome}` as ConsoleKey)}</span> {a.event} · {a.error ?? a.status} · {utc(a.at)}
    </>
  );
}

function Facts(props: { t: T; lang: Lang; w: WebhookSummary; last?: Attempt | undefined }) {
  const { t, w } = props;
  return (
    <dl class="facts">
      <div>
        <dt>{t('webhookEvents')}</dt>
        <dd>{w.events.join(', ')}</dd>
      </div>
      <div>
        <dt>{t('keyLists')}</dt>
        <dd>{w.lists ? w.lists.join(', ') : t('allLists')}</dd>
      </div>
      <div>
        <dt>{t('created')}</dt>
        <dd>{utc(w.created_at)}</dd>
      </div>
      <div>
        <dt>{t('lastSuccess')}</dt>
        <dd>{w.last_success_at ? utc(w.last_success_at) : t('never')}</dd>
      </div>
      <div>
        <dt>{t('waitingDeliveries')}</dt>
        <dd>{count(props.lang, w.pending)}</dd>
      </div>
      <div>
        <dt>{t('feedPosition')}</dt>
        <dd>{w.position}</dd>
      </div>
      {'last' in props ? (
        <div>
          <dt>{t('lastDelivery')}</dt>
          <dd>
            <AttemptLine t={t} a={props.last} />
          </dd>
        </div>
      ) : null}
    </dl>
  );
}

/** Enable (when disabled) and delete: the buttons of a webhook, on the list and on its own page. */
function Levers(props: { v: ConsoleView; t: T; w: WebhookSummary }) {
  const { v, t, w } = props;
  return (
    <div class="buttons">
      {w.status === 'disabled' ? (
        <form method="post" action={`/admin/webhooks/${w.id}/enable`}>
          <Csrf v={v} />
          <button type="submit" aria-label={t('enableLabel', { url: w.url })}>
            {t('enable')}
          </button>
        </form>
      ) : null}
      <form method="post" action={`/admin/webhooks/${w.id}/delete`}>
        <Csrf v={v} />
        <button type="submit" class="danger" aria-label={t('deleteWebhookLabel', { url: w.url })}>
          {t('deleteWebhook')}
        </button>
      </form>
    </div>
  );
}

/** Every webhook with its state and last delivery, and a form for a new one. */
export function WebhooksPage(props: { v: ConsoleView; hooks: Array<{ w: WebhookSummary; last: Attempt | undefined }>; days: number; notice?: string; problem?: string; draft?: WebhookDraft }) {
  const { v } = props;
  const t = words(v.lang);
  const draft = props.draft ?? {};
  return (
    <ConsoleLayout v={v} title={t('webhooksTitle')} section="webhooks">
      {props.notice ? <Notice kind="ok">{props.notice}</Notice> : null}
      <p>{t('webhooksHint', { days: props.days })}</p>
      {props.hooks.length === 0 ? (
        <p>{t('noWebhooks')}</p>
      ) : (
        <ul class="cards">
          {props.hooks.map(({ w, last }) => (
            <li class="card">
              <h2 class="addr">{w.url}</h2>
              <WebhookStatus t={t} w={w} />
              <Facts t={t} lang={v.lang} w={w} last={last} />
              <p>
                <a href={`/admin/webhooks/${w.id}`} aria-label={t('webhookDetailsLabel', { url: w.url })}>
                  {t('webhookDetails')}
                </a>
              </p>
              <Levers v={v} t={t} w={w} />
            </li>
          ))}
        </ul>
      )}
      <section aria-labelledby="new-webhook">
        <h2 id="new-webhook">{t('newWebhook')}</h2>
        <Problem id="new-webhook-problem" text={props.problem} />
        <form method="post" action="/admin/webhooks" class="stack narrow">
          <Csrf v={v} />
          <label for="webhook-url">{t('webhookUrl')}</label>
          <input id="webhook-url" name="url" type="url" required maxlength={2000} autocomplete="off" value={draft.url ?? ''} aria-describedby={props.problem ? 'new-webhook-problem' : undefined} />
          <fieldset>
            <legend>{t('webhookEvents')}</legend>
            {webhookEventNames.map((e) => (
              <div class="check">
                <input type="checkbox" id={`event-${e}`} name={`event_${e}`} value="1" checked={draft.events ? draft.events.includes(e) : true} />
                <label for={`event-${e}`}>{e}</label>
              </div>
            ))}
          </fieldset>
          <label for="webhook-lists">{t('keyListsLabel')}</label>
          <input id="webhook-lists" name="lists" type="text" autocomplete="off" value={draft.lists ?? ''} />
          <button type="submit">{t('create')}</button>
        </form>
      </section>
    </ConsoleLayout>
  );
}

/** The new webhook, with its signing secret shown this once. */
export function NewWebhookPage(props: { v: ConsoleView; secret: string; w: WebhookSummary }) {
  const t = words(props.v.lang);
  return (
    <ConsoleLayout v={props.v} title={t('newWebhook')} section="webhooks">
      <Notice kind="ok">{t('webhookCreated')}</Notice>
      <p class="addr">{props.w.url}</p>
      <SecretOnce lang={props.v.lang} id="new-webhook-secret" label={t('webhookSecret')} secret={props.secret} />
      <p>
        <a href={`/admin/webhooks/${props.w.id}`}>{t('webhookDetails')}</a> · <a href="/admin/webhooks">{t('backToWebhooks')}</a>
      </p>
    </ConsoleLayout>
  );
}

/** One webhook: its state, its recent deliveries a page at a time, replay from a feed position, enable, delete. */
export function WebhookPage(props: {
  v: ConsoleView;
  w: WebhookSummary;
  attempts: { data: Attempt[]; next_cursor: string | null };
  first: boolean;
  notice?: string;
  problem?: string;
}) {
  const { v, w } = props;
  const t = words(v.lang);
  return (
    <ConsoleLayout v={v} title={t('webhookTitle')} section="webhooks">
      <p class="addr">{w.url}</p>
      {props.notice ? <Notice kind="ok">{props.notice}</Notice> : null}
      <WebhookStatus t={t} w={w} />
      <Facts t={t} lang={v.lang} w={w} />
      <Levers v={v} t={t} w={w} />
      <section aria-labelledby="deliveries">
        <h2 id="deliveries">{t('deliveriesTitle')}</h2>
        {props.attempts.data.length === 0 ? (
          <p>{t('noDeliveries')}</p>
        ) : (
          <div class="table-wrap" tabindex={0} role="region" aria-labelledby="deliveries">
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('deliveryAt')}</th>
                  <th scope="col">{t('deliveryEvent')}</th>
                  <th scope="col">{t('deliveryResult')}</th>
                  <th scope="col">{t('deliveryOutcome')}</th>
                </tr>
              </thead>
              <tbody>
                {props.attempts.data.map((a) => (
                  <tr>
                    <td>{utc(a.at)}</td>
                    <td>
                      {a.event} <span class="muted">#{a.seq}</span>
                    </td>
                    <td>
                      {a.status ?? '–'} {a.error ? <span class="muted">{a.error}</span> : null} <span class="muted">({t('attemptN', { n: a.attempt, ms: a.duration_ms })})</span>
                    </td>
                    <td>
                      <span class={`badge outcome-${a.outcome}`}>{t(`outcome_${a.outcome}` as ConsoleKey)}</span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <p class="pager">
          {!props.first ? <a href={`/admin/webhooks/${w.id}`}>{t('firstPage')}</a> : null}
          {props.attempts.next_cursor ? <a href={`/admin/webhooks/${w.id}?cursor=${props.attempts.next_cursor}`}>{t('nextPage')}</a> : null}
        </p>
      </section>
      <section aria-labelledby="replay">
        <h2 id="replay">{t('replayTitle')}</h2>
        <p id="replay-hint">{t('replayHint')}</p>
        <Problem id="replay-problem" text={props.problem} />
        <form method="post" action={`/admin/webhooks/${w.id}/replay`} class="stack narrow">
          <Csrf v={v} />
          <label for="replay-after">{t('replayAfter')}</label>
          <input id="replay-after" name="after" type="number" min={0} step={1} required value="0" aria-describedby={props.problem ? 'replay-hint replay-problem' : 'replay-hint'} />
          <button type="submit" class="secondary">
            {t('replayButton')}
          </button>
        </form>
      </section>
      <p>
        <a href="/admin/webhooks">{t('backToWebhooks')}</a>
      </p>
    </ConsoleLayout>
  );
}
