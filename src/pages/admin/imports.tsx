import type { ImportMode, List } from '../../db/types';
import { type ConsoleKey, tc } from '../../i18n/console';
import type { Lang } from '../../i18n/messages';
import type { ImportReport, importView } from '../../services/import';
import { count, utc } from './format';
import { ConsoleLayout, type ConsoleView, Csrf, Notice, Problem, unlimited } from './layout';

export type ImportSummary = ReturnType<typeof importView>;
/** What the form keeps of a refused upload (never the file). */
export type ImportDraft = { mode?: string; consent_source?: string; dry_run?: boolean; notify?: boolean };
export type ImportsPageData = {
  list: List;
  imports: ImportSummary[];
  /** The console's upload ceiling and the reconfirm pace, for the hints. */
  maxMb: number;
  perHour: number;
  report?: ImportReport;
  problem?: string;
  draft?: ImportDraft;
};

const SKIPS = ['suppressed', 'erased', 'unsubscribed', 'already', 'invalid', 'duplicate'] as const;

/** A list's imports: the upload form, the report of the upload just made, and the imports before it. */
export function ImportsPage(props: { v: ConsoleView; data: ImportsPageData }) {
  const { v, data } = props;
  const { lang } = v;
  const t = (key: ConsoleKey, vars?: Record<string, string | number>) => tc(lang, key, vars);
  const slug = data.list.slug;
  return (
    <ConsoleLayout v={v} title={t('importsTitle', { list: data.list.name })} section="imports">
      <p class="muted">
        <code>{slug}</code> · <a href={`/admin/lists/${slug}`}>{t('backToList')}</a>
      </p>
      <Problem id="import-problem" text={data.problem} />
      {data.report ? <ReportSection lang={lang} report={data.report} /> : null}
      <UploadForm v={v} data={data} />
      <section aria-labelledby="past-imports">
        <h2 id="past-imports">{t('pastImports')}</h2>
        {data.imports.length === 0 ? (
          <p>{t('noImports')}</p>
        ) : (
          <ul class="cards">
            {data.imports.map((i) => (
              <PastImport lang={lang} i={i} />
            ))}
          </ul>
        )}
      </section>
    </ConsoleLayout>
  );
}

function UploadForm(props: { v: ConsoleView; data: ImportsPageData }) {
  const { v, data } = props;
  const t = (key: ConsoleKey, vars?: Record<string, string | number>) => tc(v.lang, key, vars);
  const draft = data.draft ?? {};
  const modes: ImportMode[] = unlimited(v) ? ['confirmed', 'reconfirm', 'suppress'] : ['confirmed', 'reconfirm'];
  const chosen = draft.mode ?? 'confirmed';
  const described = data.problem ? 'import-problem' : undefined;
  return (
    <section aria-labelledby="upload">
      <h2 id="upload">{t('importUpload')}</h2>
      <p>{t('importsHint')}</p>
      <form method="post" action={`/admin/lists/${data.list.slug}/imports`} enctype="multipart/form-data" class="stack narrow">
        <Csrf v={v} />
        <fieldset>
          <legend>{t('importMode')}</legend>
          {modes.map((m) => (
            <div class="check">
              <input type="radio" id={`mode-${m}`} name="mode" value={m} checked={m === chosen} />
              <label for={`mode-${m}`}>{t(`importMode_${m}` as ConsoleKey, { perHour: count(v.lang, data.perHour) })}</label>
            </div>
          ))}
        </fieldset>
        <label for="consent-source">{t('consentSourceLabel')}</label>
        <input id="consent-source" name="consent_source" type="text" maxlength={500} autocomplete="off" value={draft.consent_source ?? ''} aria-describedby="consent-source-hint" />
        <p class="hint" id="consent-source-hint">
          {t('consentSourceHint')}
        </p>
        <div class="check">
          <input type="checkbox" id="dry-run" name="dry_run" value="1" checked={draft.dry_run ?? false} />
          <label for="dry-run">{t('dryRunLabel')}</label>
        </div>
        <div class="check">
          <input type="checkbox" id="notify" name="notify" value="1" checked={draft.notify ?? false} />
          <label for="notify">{t('notifyLabel')}</label>
        </div>
        {/* Last in the form, so the browser sends the small fields first. */}
        <label for="import-file">{t('importFile')}</label>
        <input
          id="import-file"
          name="file"
          type="file"
          required
          accept=".csv,.txt,.ndjson,.jsonl,text/csv,application/x-ndjson"
          aria-describedby={described ? `import-file-hint ${described}` : 'import-file-hint'}
          aria-invalid={described ? 'true' : undefined}
        />
        <p class="hint" id="import-file-hint">
          {t('importFileHint', { mb: data.maxMb, list: data.list.slug })}
        </p>
        <button type="submit">{t('importButton')}</button>
      </form>
    </section>
  );
}

/** Counts by skip reason, as a list of terms (it reads well at 360 px). */
function Skipped(props: { lang: Lang; skipped: ImportReport['skipped'] }) {
  return (
    <dl class="facts">
      {SKIPS.map((k) => (
        <div>
          <dt>{tc(props.lang, `skip_${k}` as ConsoleKey)}</dt>
          <dd>{count(props.lang, props.skipped[k])}</dd>
        </div>
      ))}
    </dl>
  );
}

/** The report of the upload just made: counts, skips by reason, the first problems with their lines. */
function ReportSection(props: { lang: Lang; report: ImportReport }) {
  const { lang, report } = props;
  const t = (key: ConsoleKey, vars?: Record<string, string | number>) => tc(lang, key, vars);
  const said = report.dry_run ? t('reportDryRun') : report.state === 'stopped' ? t('reportStopped') : t('reportDone', { id: report.id ?? '' });
  return (
    <section aria-labelledby="report" class="report">
      <h2 id="report">{t('reportTitle')}</h2>
      <Notice kind={report.state === 'stopped' ? 'error' : 'ok'}>{said}</Notice>
      <dl class="facts">
        <div>
          <dt>{t('importMode')}</dt>
          <dd>{report.mode}</dd>
        </div>
        <div>
          <dt>{t('reportFormat')}</dt>
          <dd>{report.format}</dd>
        </div>
        <div>
          <dt>{t('rows')}</dt>
          <dd id="report-rows">{count(lang, report.rows)}</dd>
        </div>
        <div>
          <dt>{report.dry_run ? t('wouldImport') : t('imported')}</dt>
          <dd id="report-imported">{count(lang, report.imported)}</dd>
        </div>
        {report.mails_queued !== undefined ? (
          <div>
            <dt>{t('mailsQueued')}</dt>
            <dd>{count(lang, report.mails_queued)}</dd>
          </div>
        ) : null}
      </dl>
      <h3>{t('skipped')}</h3>
      <Skipped lang={lang} skipped={report.skipped} />
      {report.errors.length ? (
        <>
          <h3 id="row-errors">{t('rowErrors', { count: report.errors.length })}</h3>
          <div class="table-wrap" tabindex={0} role="region" aria-labelledby="row-errors">
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('errorLine')}</th>
                  <th scope="col">{t('address')}</th>
                  <th scope="col">{t('errorCode')}</th>
                </tr>
              </thead>
              <tbody>
                {report.errors.map((e) => (
                  <tr>
                    <td>{e.line}</td>
                    <td class="addr">{e.email}</td>
                    <td>
                      <code>{e.code}</code>
                      {e.suggestion ? ` ${t('didYouMean', { suggestion: e.suggestion })}` : ''}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      ) : null}
    </section>
  );
}

/** One earlier import: when, how, its counts, and for reconfirm its mail (held when its rates crossed the SES review level). */
function PastImport(props: { lang: Lang; i: ImportSummary }) {
  const { lang, i } = props;
  const t = (key: ConsoleKey, vars?: Record<string, string | number>) => tc(lang, key, vars);
  return (
    <li class="card">
      <h3>
        <code>{i.id}</code> <span class={`badge import-${i.state}`}>{t(`importState_${i.state}` as ConsoleKey)}</span>
      </h3>
      <dl class="facts">
        <div>
          <dt>{t('importMode')}</dt>
          <dd>{i.mode}</dd>
        </div>
        <div>
          <dt>{t('started')}</dt>
          <dd>{utc(i.created_at)}</dd>
        </div>
        <div>
          <dt>{t('rows')}</dt>
          <dd>{count(lang, i.rows)}</dd>
        </div>
        <div>
          <dt>{t('imported')}</dt>
          <dd>{count(lang, i.imported)}</dd>
        </div>
        <div>
          <dt>{t('notifyShort')}</dt>
          <dd>{t(i.notify ? 'yes' : 'no')}</dd>
        </div>
      </dl>
      {i.consent_source ? (
        <p class="muted">
          {t('consentSourceShort')}: {i.consent_source}
        </p>
      ) : null}
      <details>
        <summary>{t('skipped')}</summary>
        <Skipped lang={lang} skipped={i.skipped} />
      </details>
      {i.mail ? (
        <p>
          {t('importMail', { queued: count(lang, i.mail.queued), sent: count(lang, i.mail.sent), bounces: count(lang, i.mail.bounces), complaints: count(lang, i.mail.complaints) })}{' '}
          {i.mail.status === 'held' ? (
            <strong class="badge import-held">{t('mailHeld', { reason: t(i.mail.held_reason === 'complaint' ? 'heldBy_complaint' : 'heldBy_bounce'), at: utc(i.mail.held_at) })}</strong>
          ) : (
            <span class="badge import-done">{t('mailFlowing')}</span>
          )}
        </p>
      ) : null}
    </li>
  );
}

/** /admin/imports: which list to import into (imports belong to a list). */
export function ImportChooserPage(props: { v: ConsoleView; lists: List[] }) {
  const { v } = props;
  return (
    <ConsoleLayout v={v} title={tc(v.lang, 'navImports')} section="imports">
      <p>{tc(v.lang, 'importsChoose')}</p>
      {props.lists.length === 0 ? (
        <p>{tc(v.lang, 'noLists')}</p>
      ) : (
        <ul>
          {props.lists.map((l) => (
            <li>
              <a href={`/admin/lists/${l.slug}/imports`}>{l.name}</a> <code>{l.slug}</code>
            </li>
          ))}
        </ul>
      )}
    </ConsoleLayout>
  );
}
