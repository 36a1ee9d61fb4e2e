import { tc } from '../../i18n/console';
import { ConsoleLayout, type ConsoleView, Notice, Problem } from './layout';

export type SignInProblem = 'unknown_key' | 'not_admin' | { retryAfter: number };

/** The sign-in form: one password field named `key`; nothing of the key is kept in the browser. */
export function SignInPage(props: { v: ConsoleView; problem?: SignInProblem; notice?: 'signed_out' | 'ended'; idleMinutes: number; maxHours: number }) {
  const { v, problem } = props;
  const t = (key: Parameters<typeof tc>[1], vars?: Record<string, string | number>) => tc(v.lang, key, vars);
  const message = !problem ? undefined : problem === 'unknown_key' ? t('signInUnknown') : problem === 'not_admin' ? t('signInNotAdmin') : t('signInLimited', { seconds: problem.retryAfter });
  return (
    <ConsoleLayout v={v} title={t('signInTitle')}>
      {props.notice ? <Notice kind="ok">{t(props.notice === 'ended' ? 'sessionEnded' : 'signedOut')}</Notice> : null}
      <Problem id="sign-in-problem" text={message} />
      <p>{t('signInIntro', { idle: props.idleMinutes, max: props.maxHours })}</p>
      <form method="post" action="/admin/sign-in" class="stack narrow">
        <label for="key">{t('keyLabel')}</label>
        <input
          id="key"
          name="key"
          type="password"
          required
          autocomplete="off"
          spellcheck={false}
          maxlength={200}
          aria-invalid={message ? 'true' : undefined}
          aria-describedby={message ? 'sign-in-problem' : undefined}
        />
        <button type="submit">{t('signIn')}</button>
      </form>
    </ConsoleLayout>
  );
}
