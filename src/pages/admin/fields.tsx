/**
 * An email field of a console form: label, input, and its problem tied to it for screen readers,
 * either shown under it (`error`) or elsewhere on the page (`problemId`).
 */
export function EmailField(props: { id: string; name: string; label: string; value?: string; error?: string; problemId?: string; autocomplete?: 'off' | 'email' }) {
  const described = props.error ? `${props.id}-error` : props.problemId;
  return (
    <>
      <label for={props.id}>{props.label}</label>
      <input
        id={props.id}
        name={props.name}
        type="email"
        required
        autocomplete={props.autocomplete ?? 'off'}
        value={props.value ?? ''}
        aria-invalid={described ? 'true' : undefined}
        aria-describedby={described}
      />
      {props.error ? (
        <p class="field-error" id={`${props.id}-error`}>
          {props.error}
        </p>
      ) : null}
    </>
  );
}
