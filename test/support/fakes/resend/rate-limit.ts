import { rateLimitMessage } from './errors';

/**
 * Resend's team-wide limit: at most `perSecond` admitted requests in any rolling second, counted
 * on the given clock; answers the ratelimit-* headers the SDK hands back, and retry-after on 429.
 */
export function rollingWindow(perSecond: number | null, now: () => number) {
  let limit = perSecond;
  let window: number[] = [];
  const headers = (remaining: number, reset: number) => ({
    'ratelimit-limit': String(limit),
    'ratelimit-remaining': String(remaining),
    'ratelimit-reset': String(reset),
    'ratelimit-policy': `${limit};w=1`,
  });
  return {
    get limit() {
      return limit;
    },
    set(next: number | null) {
      limit = next;
      window = [];
    },
    /** Admits one request, or answers the 429 headers. */
    take(): { ok: boolean; headers: Record<string, string> } {
      if (limit === null) return { ok: true, headers: {} };
      const t = now();
      window = window.filter((w) => w > t - 1000);
      const resetSecs = () => Math.max(1, Math.ceil(((window[0] ?? t) + 1000 - t) / 1000));
      if (window.length >= limit) return { ok: false, headers: { ...headers(0, resetSecs()), 'retry-after': String(resetSecs()) } };
      window.push(t);
      return { ok: true, headers: headers(Math.max(0, limit - window.length), resetSecs()) };
    },
    message: () => rateLimitMessage(limit),
    clear: () => void (window = []),
  };
}
