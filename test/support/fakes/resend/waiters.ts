/** Promises that resolve when a condition on the imitation's state holds, or reject after a timeout. */
export function waiters() {
  type Waiter = { check: () => boolean; resolve: () => void; reject: (e: Error) => void; timer: ReturnType<typeof setTimeout> };
  const pending = new Set<Waiter>();
  let closed: Error | null = null;
  return {
    notify() {
      for (const w of [...pending]) {
        if (!w.check()) continue;
        clearTimeout(w.timer);
        pending.delete(w);
        w.resolve();
      }
    },
    until<T>(check: () => boolean, value: () => T, what: () => string, timeoutMs: number): Promise<T> {
      if (check()) return Promise.resolve(value());
      if (closed) return Promise.reject(new Error(`${closed.message} while waiting for ${what()}`));
      return new Promise<T>((resolve, reject) => {
        const w: Waiter = {
          check,
          resolve: () => resolve(value()),
          reject,
          timer: setTimeout(() => {
            pending.delete(w);
            reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what()}`));
          }, timeoutMs),
        };
        pending.add(w);
      });
    },
    closeAll(reason: Error) {
      closed = reason;
      for (const w of pending) {
        clearTimeout(w.timer);
        w.reject(reason);
      }
      pending.clear();
    },
  };
}
