/**
 * The confirmation funnel's arithmetic. Pure: the triggers of migration 0006 count confirmations
 * into these buckets; stats read them back.
 */

/** Upper edges (seconds, exclusive) of the time-to-confirm buckets t0..t10; t11 is everything longer. */
export const CONFIRM_TIME_EDGES = [60, 300, 900, 1800, 3600, 7200, 14400, 28800, 86400, 172800, 604800] as const;

/** The providers the funnel is split by (every other address is `other`). */
export const FUNNEL_PROVIDERS = ['gmail', 'outlook', 'yahoo', 'icloud', 'proton', 'other'] as const;
export type FunnelProvider = (typeof FUNNEL_PROVIDERS)[number];

export const funnelProviderOf = (providerId: string | undefined): FunnelProvider =>
  (FUNNEL_PROVIDERS as readonly string[]).includes(providerId ?? '') ? (providerId as FunnelProvider) : 'other';

/**
 * The median of counts in the buckets, interpolated log-linearly inside the bucket that holds it
 * (confirmation times spread over orders of magnitude). Null with no count at all. The first
 * bucket is taken to start at 1 s, the last to end at twice its lower edge.
 */
export function medianFromBuckets(counts: readonly number[]): number | null {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const half = total / 2;
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    if (counts[i] === 0 || seen + counts[i] < half) {
      seen += counts[i];
      continue;
    }
    const lower = i === 0 ? 1 : CONFIRM_TIME_EDGES[i - 1];
    const upper = i < CONFIRM_TIME_EDGES.length ? CONFIRM_TIME_EDGES[i] : lower * 2;
    const fraction = (half - seen) / counts[i];
    return Math.round(lower * (upper / lower) ** fraction);
  }
  return null;
}

/** A rate in 0..1, or null when nothing was counted. */
export const rate = (part: number, whole: number): number | null => (whole === 0 ? null : part / whole);
