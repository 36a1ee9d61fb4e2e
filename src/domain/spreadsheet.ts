/**
 * What keeps an export cell from being read as a spreadsheet formula (CSV injection, OWASP), and a
 * name from breaking line-based readers or hiding text: refused at signup and import, and defused in
 * CSV for values stored before the rule.
 */

/** Spreadsheets read a cell starting with one of these as a formula. */
const FORMULA_START = /^[=+\-@]/;
/** Controls (NEL U+0085 included), format characters (bidi overrides, zero-width), line and paragraph separators. */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

export const startsLikeFormula = (value: string): boolean => FORMULA_START.test(value);

/** Why a name cannot be kept, or null when it can. */
export function nameProblem(name: string): string | null {
  if (INVISIBLE.test(name)) return 'must not contain control or invisible formatting characters';
  if (startsLikeFormula(name)) return 'must not begin with =, +, - or @';
  return null;
}

/** A CSV cell that a spreadsheet shows as text: a value starting like a formula gets a leading `'`. */
export const defuseFormula = (value: string): string => (startsLikeFormula(value) ? `'${value}` : value);
