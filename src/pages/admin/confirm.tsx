import { tc } from '../../i18n/console';
import { ConsoleLayout, type ConsoleView, Csrf, Problem } from './layout';

/**
 * The step before something that cannot be undone (deleting a list, erasing an address): it says
 * what will happen in full, and the button says what it does. `typed` asks the operator to type a
 * word (the list's slug) before the button works.
 */
export function ConfirmPage(props: {
  v: ConsoleView;
  section: 'lists' | 'lookup';
  title: string;
  consequences: string;
  action: string;
  hidden: Record<string, string>;
  button: string;
  cancel: string;
  typed?: { label: string };
  problem?: string;
}) {
  const { v } = props;
  return (
    <ConsoleLayout v={v} title={props.title} section={props.section}>
      <Problem id="confirm-problem" text={props.problem} />
      <p class="consequences">{props.consequences}</p>
      <form method="post" action={props.action} class="stack narrow">
        <Csrf v={v} />
        {Object.entries(props.hidden).map(([name, value]) => (
          <input type="hidden" name={name} value={value} />
        ))}
        {props.typed ? (
          <>
            <label for="confirm-typed">{props.typed.label}</label>
            <input id="confirm-typed" name="confirm" type="text" required autocomplete="off" aria-describedby={props.problem ? 'confirm-problem' : undefined} />
          </>
        ) : null}
        <div class="buttons">
          <button type="submit" class="danger">
            {props.button}
          </button>
          <a class="button secondary" href={props.cancel}>
            {tc(v.lang, 'cancel')}
          </a>
        </div>
      </form>
    </ConsoleLayout>
  );
}
