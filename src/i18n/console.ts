import { consoleEn, type ConsoleKey } from './console-en';
import { consoleJa } from './console-ja';
import { type Lang, pickLang } from './messages';

export type { ConsoleKey };
const catalogs = { en: consoleEn, ja: consoleJa };

/**
 * A console message with `{placeholders}` filled as plain text (hono/jsx escapes it). A placeholder
 * without a value stays as written, so `{{list_name}}` can be shown to operators as it is typed.
 */
export function tc(lang: Lang, key: ConsoleKey, vars: Record<string, string | number> = {}): string {
  return catalogs[lang][key].replace(/\{(\w+)\}/g, (whole, k: string) => (k in vars ? String(vars[k]) : whole));
}

/** The console's language: a `lang` the operator chose (query or cookie), else the browser's. */
export function consoleLang(chosen: string | undefined, acceptLanguage: string | undefined): Lang {
  return chosen === 'en' || chosen === 'ja' ? chosen : pickLang(undefined, acceptLanguage);
}
