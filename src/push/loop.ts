import { performance } from 'node:perf_hooks';
import { storageFault } from '../db/errors';
import { activeConsumers, releasePushLeases } from '../db/queries/push';
import { safeErrorText } from '../logger';
import { fanOut, type PushPorts, type PushSender, type PushSenders, runLane } from './dispatch';

export type PushLoop = {
  /**
   * Starts no other attempt and resolves once those in flight are recorded: true, or false if
   * `timeoutMs` passed first (their deliveries are then released by the caller and sent again).
   */
  stop(timeoutMs?: number): Promise<boolean>;
};

/** How long one attempt is held back at most while the process is busy: pushes slow down, never stop. */
const MAX_DEFER_MS = 1000;

/**
 * Whether requests kept the event loop busy (more than `threshold` of the time) in the last
 * `windowMs`. Requests come first: while they do, pushes wait (their receivers get them later).
 */
export function eventLoopBusy(threshold = 0.7, windowMs = 250) {
  let last = performance.eventLoopUtilization();
  let busy = false;
  const timer = setInterval(() => {
    const now = performance.eventLoopUtilization();
    busy = performance.eventLoopUtilization(now, last).utilization > threshold;
    last = now;
  }, windowMs);
  timer.unref();
  return { busy: () => busy, stop: () => clearInterval(timer) };
}

/**
 * The Node push loop: every `tickMs` (1 s) it turns new feed events into deliveries and starts a
 * lane for each enabled consumer that is not busy; a lane sends that consumer's due deliveries.
 * It runs beside the requests, never inside one: a signup or a confirmation only writes the feed.
 * While requests keep the process busy, each attempt waits (up to a second): under a load that
 * saturates the server, webhooks fall behind and catch up afterwards, instead of slowing requests.
 */
export function startPushLoop(ports: PushPorts, senders: PushSenders, opts: { tickMs?: number; busy?: () => boolean } = {}): PushLoop {
  const tickMs = opts.tickMs ?? 1000;
  const probe = opts.busy ? null : eventLoopBusy();
  const busy = opts.busy ?? probe!.busy;
  const lanes = new Map<string, Promise<void>>();
  let stopped = false;
  let wakeUp: (() => void) | null = null;
  let faults = 0;

  const pause = async () => {
    for (let waited = 0; busy() && !stopped && waited < MAX_DEFER_MS; waited += 100) await new Promise((r) => setTimeout(r, 100));
  };

  /** Sends the consumer's due deliveries until none is due (or the loop stops). */
  const lane = (id: string, send: PushSender) =>
    (async () => {
      while (!stopped && (await runLane(ports, send, id, undefined, pause)).claimed > 0);
    })()
      .catch((err) => ports.logger.error('push lane failed', { consumer: id, error: safeErrorText(err) }))
      .finally(() => lanes.delete(id));

  const pass = async () => {
    await fanOut(ports);
    for (const c of await activeConsumers(ports.db)) {
      if (stopped) return;
      const send = senders[c.kind];
      if (send && !lanes.has(c.id)) lanes.set(c.id, lane(c.id, send));
    }
  };

  const loop = (async () => {
    // This process owns the database (one server per database): deliveries held by a killed
    // predecessor are ours to send again, under the same message ids.
    await releasePushLeases(ports.db).catch((err) => ports.logger.error('push lease release failed', { error: safeErrorText(err) }));
    while (!stopped) {
      try {
        await pass();
        faults = 0;
      } catch (err) {
        const fault = storageFault(err);
        if (!fault) ports.logger.error('push pass failed', { error: safeErrorText(err) });
        else if (faults++ === 0) ports.logger.warn('webhooks paused: the database is unavailable; retrying with backoff', { fault: fault.kind });
      }
      if (stopped) break;
      const wait = faults ? Math.min(30_000, tickMs * 2 ** faults) : tickMs;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, wait);
        function done() {
          clearTimeout(timer);
          wakeUp = null;
          resolve();
        }
        wakeUp = done;
      });
    }
  })();

  return {
    async stop(timeoutMs = Infinity) {
      stopped = true;
      probe?.stop();
      wakeUp?.();
      const finished = loop.then(() => Promise.all(lanes.values())).then(() => true);
      if (timeoutMs === Infinity) return finished;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timedOut = new Promise<boolean>((r) => (timer = setTimeout(() => r(false), timeoutMs)));
      return Promise.race([finished, timedOut]).finally(() => clearTimeout(timer));
    },
  };
}
