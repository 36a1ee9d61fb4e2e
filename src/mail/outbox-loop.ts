import type { Deps, Outbox } from '../deps';
import { drainStep } from './outbox';

type Ports = Pick<Deps, 'db' | 'atomic' | 'mailer' | 'clock' | 'logger' | 'config'>;

/**
 * The Node drain loop: wakes on new mail and on a timer, paces provider requests to
 * MAIL_RATE_PER_SECOND, and on stop() lets the request in flight finish.
 */
export function startOutboxLoop(deps: Ports, opts: { idleMs?: number } = {}): Outbox & { stop(): Promise<void>; idle(): Promise<void> } {
  const spacingMs = 1000 / deps.config.MAIL_RATE_PER_SECOND;
  const idleMs = opts.idleMs ?? 2000;
  let stopped = false;
  let woken = false;
  let wakeUp: (() => void) | null = null;
  let lastRequestAt = 0;
  const idleWaiters: Array<() => void> = [];

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wakeUp = null;
        resolve();
      }
      wakeUp = done;
    });

  const loop = (async () => {
    while (!stopped) {
      woken = false;
      let result = null;
      try {
        const gap = lastRequestAt + spacingMs - Date.now();
        if (gap > 0) await new Promise((r) => setTimeout(r, gap));
        result = await drainStep(deps);
        if (result && result.requests > 0) lastRequestAt = Date.now();
      } catch (err) {
        deps.logger.error('outbox drain failed', { error: (err as Error).message });
      }
      if (result && !result.retryLater) continue;
      if (!result) idleWaiters.splice(0).forEach((r) => r());
      if (stopped) break;
      if (!woken) await sleep(result?.retryLater ? Math.min(idleMs, result.waitMs ?? idleMs) : idleMs);
    }
  })();

  return {
    wake() {
      woken = true;
      wakeUp?.();
    },
    async stop() {
      stopped = true;
      wakeUp?.();
      await loop;
    },
    idle() {
      return new Promise<void>((resolve) => idleWaiters.push(resolve));
    },
  };
}
