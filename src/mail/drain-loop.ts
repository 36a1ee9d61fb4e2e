import type { Deps, Outbox } from '../deps';
import { storageFault } from '../db/errors';
import { nextDueAt, releaseAllLeases } from '../db/queries/outbox';
import { safeErrorText } from '../logger';
import { drainStep, type Pace } from './drain';

type Ports = Pick<Deps, 'db' | 'atomic' | 'mailer' | 'clock' | 'logger' | 'config' | 'tokens' | 'hashKey'>;
export type DrainLoop = Outbox & {
  /**
   * Starts no other request and resolves once the one in flight is answered and recorded: true,
   * or false if `timeoutMs` passed first (its batch then stays in doubt until the next start).
   */
  stop(timeoutMs?: number): Promise<boolean>;
  idle(): Promise<void>;
};

/** Longest pause while the database is unavailable (busy, full, read-only). */
const MAX_FAULT_BACKOFF_MS = 30_000;

/**
 * The Node drain loop: wakes on new mail, on the next retry time and on a timer; starts provider
 * requests no closer than 1/MAIL_RATE_PER_SECOND apart (measured from request start, so database
 * work overlaps the wait); on stop() lets the request in flight finish and starts no other.
 */
export function startDrainLoop(deps: Ports, opts: { idleMs?: number } = {}): DrainLoop {
  // The provider counts arrivals in a rolling second, and a request arrives some time between its
  // start and its answer. So a request starts only once the one `perWindow` back was answered a
  // full window ago (never more than perWindow arrivals in any window), and no closer than
  // 1/rate after the previous start (an even pace rather than bursts).
  const rate = deps.config.MAIL_RATE_PER_SECOND;
  const perWindow = Math.max(1, Math.floor(rate));
  const windowMs = (perWindow * 1000) / rate;
  const spacingMs = 1000 / rate;
  const answeredAt: number[] = [];
  const idleMs = opts.idleMs ?? 2000;
  let stopped = false;
  let woken = false;
  let interrupt: (() => void) | null = null;
  let lastStart = 0;
  const idleWaiters: Array<() => void> = [];

  /** Sleeps until `ms` pass, wake() or stop(). */
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, Math.max(0, ms));
      function done() {
        clearTimeout(timer);
        interrupt = null;
        resolve();
      }
      interrupt = done;
    });

  const pace: Pace = async () => {
    const earliest = () => Math.max(lastStart + spacingMs, answeredAt.length < perWindow ? 0 : answeredAt[answeredAt.length - perWindow] + windowMs);
    for (let gap = earliest() - Date.now(); gap > 0 && !stopped; gap = earliest() - Date.now()) {
      await new Promise((r) => setTimeout(r, gap));
    }
    if (stopped) return false;
    lastStart = Date.now();
    return () => {
      answeredAt.push(Date.now());
      if (answeredAt.length > perWindow) answeredAt.shift();
    };
  };

  const loop = (async () => {
    // This process owns the database file (one server per database): a batch held by a killed
    // predecessor is ours to resend.
    await releaseAllLeases(deps.db).catch((err) => deps.logger.error('outbox lease release failed', { error: safeErrorText(err) }));
    // Database faults in a row: the loop backs off (doubling up to 30 s) and says so once.
    let faults = 0;
    while (!stopped) {
      woken = false;
      let result = null;
      let failed = false;
      try {
        result = await drainStep(deps, pace);
        if (faults) deps.logger.info('outbox resumed: the database accepts writes again', { pauses: faults });
        faults = 0;
      } catch (err) {
        failed = true;
        const fault = storageFault(err);
        if (!fault) deps.logger.error('outbox drain failed', { error: safeErrorText(err) });
        else if (faults++ === 0) deps.logger.warn('outbox paused: the database is unavailable; retrying with backoff', { fault: fault.kind, code: fault.code });
      }
      if (stopped) break;
      if (result && !result.retryLater) continue;
      let wait = faults ? Math.min(MAX_FAULT_BACKOFF_MS, idleMs * 2 ** (faults - 1)) : idleMs;
      if (!failed) {
        const due = await nextDueAt(deps.db, deps.clock.now()).catch(() => null);
        if (due !== null) wait = Math.max(20, Math.min(idleMs, due - deps.clock.now()));
        else idleWaiters.splice(0).forEach((r) => r());
      }
      if (!woken) await sleep(wait);
    }
    idleWaiters.splice(0).forEach((r) => r());
  })();

  return {
    wake() {
      woken = true;
      interrupt?.();
    },
    async stop(timeoutMs = Infinity) {
      stopped = true;
      interrupt?.();
      if (timeoutMs === Infinity) return loop.then(() => true);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timedOut = new Promise<boolean>((r) => (timer = setTimeout(() => r(false), timeoutMs)));
      return Promise.race([loop.then(() => true), timedOut]).finally(() => clearTimeout(timer));
    },
    /** Resolves when nothing is queued or open any more (tests, benchmarks). */
    idle() {
      return new Promise<void>((resolve) => idleWaiters.push(resolve));
    },
  };
}
