/**
 * How long an outbound push waits before each retry: the first three within a minute (with
 * WEBHOOK_TIMEOUT_MS at its default, attempts included), then growing, for about 32 hours in all
 * (more than 25 hours even when every wait draws its shortest jitter). Then the message is given up.
 */
export const RETRY_DELAYS_MS = [
  2_000, 5_000, 12_000, 60_000, 5 * 60_000, 15 * 60_000, 30 * 60_000, 3_600_000, 2 * 3_600_000, 4 * 3_600_000, 8 * 3_600_000, 8 * 3_600_000, 8 * 3_600_000,
] as const;

/** Each wait is drawn from 80 % to 120 % of its step, so receivers that failed together do not retry together. */
export const JITTER = 0.2;

/**
 * The wait before the retry that follows attempt number `attempt` (counting from 1), or null when
 * that attempt was the last.
 */
export function retryDelayMs(attempt: number, random: () => number = Math.random): number | null {
  const step = RETRY_DELAYS_MS[attempt - 1];
  if (step === undefined) return null;
  return Math.round(step * (1 - JITTER + 2 * JITTER * random()));
}
