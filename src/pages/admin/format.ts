import type { Lang } from '../../i18n/messages';

/** How the console writes numbers, rates and times, the same on Node and Workers. */

/**
 * A count with thousands separators (1,234 in English and in Japanese alike). Written out rather
 * than through Intl: a 90-day table has hundreds of numbers, and Intl costs microseconds each.
 */
export const count = (_lang: Lang, n: number) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/** A rate (0..1) as a percentage with up to `digits` decimals; a dash when there is none. */
export function percent(rate: number | null, digits = 1): string {
  if (rate === null || !Number.isFinite(rate)) return '–';
  return `${(rate * 100).toFixed(digits).replace(/\.0+$/, '')}\u00a0%`;
}

/** A time in UTC, to the minute: one format for every operator, whatever the server's zone. */
export function utc(at: number | string | null): string {
  if (at === null) return '–';
  return `${new Date(at).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** A duration for people: seconds, minutes, hours or days. */
export function duration(lang: Lang, seconds: number): string {
  const [value, unit] =
    seconds < 90 ? [seconds, 's'] : seconds < 90 * 60 ? [seconds / 60, 'min'] : seconds < 36 * 3600 ? [seconds / 3600, 'h'] : [seconds / 86400, 'd'];
  const units = lang === 'ja' ? { s: '秒', min: '分', h: '時間', d: '日' } : { s: ' s', min: ' min', h: ' h', d: ' days' };
  return `${Math.round(value)}${units[unit as keyof typeof units]}`;
}
