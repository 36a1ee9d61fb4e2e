/**
 * Paces the Resend contact sync beside the outbox, which shares the team's rate limit: a call
 * starts no closer than 1/perSecond after the previous one (RESEND_SYNC_PER_SECOND, across every
 * synced list of the process), never while confirmation mail is due (`mailIsDue`: the outbox
 * sends first), and not before a 429's `retry-after` has passed. Real time, like the outbox's pace.
 */
export type SyncPacer = {
  /** Waits for the next call's turn: true to go, false when `maxWaitMs` passed first (defer the delivery). */
  turn(mailIsDue: () => Promise<boolean>): Promise<boolean>;
  /** The provider said to slow down: no call before `ms` from now. */
  backOff(ms: number): void;
};

const POLL_MS = 200;

export function syncPacer(opts: { perSecond: number; maxWaitMs: number; now?: () => number; sleep?: (ms: number) => Promise<void> }): SyncPacer {
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const spacingMs = 1000 / opts.perSecond;
  let next = 0;
  return {
    async turn(mailIsDue) {
      const until = now() + opts.maxWaitMs;
      for (;;) {
        const gap = next - now();
        if (gap <= 0 && !(await mailIsDue())) {
          next = now() + spacingMs;
          return true;
        }
        const wait = gap > 0 ? Math.min(gap, POLL_MS * 5) : POLL_MS;
        if (now() + wait > until) return false;
        await sleep(wait);
      }
    },
    backOff(ms) {
      next = Math.max(next, now() + ms);
    },
  };
}
