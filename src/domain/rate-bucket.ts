/**
 * Token-bucket arithmetic shared by the in-memory (Node) and D1 (Workers) limiters: a bucket holds
 * up to `burst` tokens and refills linearly at `perMinute`.
 */
export type BucketLimit = { burst: number; perMinute: number };

export const refillRatePerMs = (limit: BucketLimit) => limit.perMinute / 60_000;

/** Tokens in a bucket that held `tokens` at `at`, seen at `now`. */
export function refilled(limit: BucketLimit, tokens: number, at: number, now: number): number {
  return Math.min(limit.burst, tokens + Math.max(0, now - at) * refillRatePerMs(limit));
}

/** Whole seconds until a bucket holding `tokens` has one to give (at least 1): the Retry-After. */
export function retryAfterSeconds(limit: BucketLimit, tokens: number): number {
  return Math.max(1, Math.ceil((1 - tokens) / refillRatePerMs(limit) / 1000));
}

/** How far a reserving bucket may run into debt: a day of refill, so a flood's delay is bounded. */
export const debtFloor = (limit: BucketLimit) => -limit.perMinute * 60 * 24;

/** When a token reserved from a bucket left holding `tokens` (possibly negative) is due. */
export function reservedDelayMs(limit: BucketLimit, tokens: number): number {
  return tokens >= 0 ? 0 : Math.ceil(-tokens / refillRatePerMs(limit));
}
