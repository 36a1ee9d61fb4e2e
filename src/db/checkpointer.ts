import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * Copies the WAL into the database file from a thread of its own, so requests do not.
 *
 * SQLite checkpoints in the connection that commits: every WAL_AUTOCHECKPOINT pages one commit
 * copies them all into the file and syncs it, on the event loop, and every request waiting for that
 * turn waits with it (the signup benchmark's p99 doubled). Here a worker thread with its own
 * connection runs a PASSIVE checkpoint a few times a second: it never takes the write lock and never
 * waits, so commits go on beside it, and what the committing connection's own checkpoint still has
 * to copy when it comes round is the little written since the last pass (it is kept as the
 * backstop: it is what lets the WAL file start over from its beginning).
 *
 * The worker is plain CommonJS run from a string (there is no second file to find in the build),
 * loading the same better-sqlite3 the server uses.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma('synchronous = NORMAL');
let last = '';
const pass = () => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
    last = '';
  } catch (err) {
    const text = String(err && err.message || err);
    if (text !== last) parentPort.postMessage({ error: text });
    last = text;
  }
};
const timer = setInterval(pass, workerData.intervalMs);
parentPort.on('message', (m) => {
  if (m !== 'stop') return;
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export type Checkpointer = { stop(): Promise<void> };

const STOP_WAIT_MS = 1000;

/** Starts checkpointing `path` (an SQLite file in WAL mode) every `intervalMs` from a worker thread. */
export function startCheckpointer(path: string, opts: { intervalMs?: number; onError?: (message: string) => void } = {}): Checkpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { path, driver, intervalMs: opts.intervalMs ?? 200 } });
  worker.unref();
  worker.on('message', (m: { error?: string }) => m.error && opts.onError?.(m.error));
  worker.on('error', (err) => opts.onError?.(err.message));
  const exited = new Promise<void>((r) => worker.once('exit', () => r()));
  return {
    async stop() {
      worker.postMessage('stop');
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), STOP_WAIT_MS)));
      if ((await Promise.race([exited, late])) === 'late') await worker.terminate();
      clearTimeout(timer);
    },
  };
}
