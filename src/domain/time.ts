/** A stored epoch-milliseconds time as the API writes it: ISO 8601 UTC, or null when unset. */
export function isoTime(ms: number): string;
export function isoTime(ms: number | null | undefined): string | null;
export function isoTime(ms: number | null | undefined): string | null {
  return ms === null || ms === undefined ? null : new Date(ms).toISOString();
}

export const DAY_MS = 86_400_000;
