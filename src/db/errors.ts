/**
 * Why the database refused work that a later attempt may do: it is busy (another connection holds
 * the write lock), full, read-only, or the disk failed. Such errors are the operator's or the
 * moment's, never the request's, so they answer 503 with Retry-After instead of 500.
 */
export type StorageFault = { kind: 'busy' | 'full' | 'readonly' | 'io'; code: string };

/** The driver's codes for "another connection holds the lock" (also what a busy gate waits out). */
export const BUSY_CODES = /^SQLITE_(BUSY|LOCKED)/;

const SQLITE_CODES: Array<[RegExp, StorageFault['kind']]> = [
  [BUSY_CODES, 'busy'],
  [/^SQLITE_FULL/, 'full'],
  [/^SQLITE_READONLY/, 'readonly'],
  [/^SQLITE_(IOERR|CANTOPEN|PROTOCOL)/, 'io'],
];

// D1 reports the same conditions in its messages (it runs SQLite too), plus its own overload.
const MESSAGES: Array<[RegExp, StorageFault['kind'], string]> = [
  [/database is locked|SQLITE_BUSY|D1 DB is overloaded|too many requests queued/i, 'busy', 'busy'],
  [/database or disk is full|SQLITE_FULL|exceeded maximum DB size/i, 'full', 'full'],
  [/readonly database|SQLITE_READONLY/i, 'readonly', 'readonly'],
  [/disk I\/O error|SQLITE_IOERR|Network connection lost|storage caused object to be reset/i, 'io', 'io'],
  // src/db/writer-thread.ts: the thread that writes on Node stopped with groups in hand.
  [/^the database writer thread stopped/, 'io', 'writer'],
];

/** The storage fault behind `err` (drizzle wraps the driver's error as `cause`), or null. */
export function storageFault(err: unknown): StorageFault | null {
  for (let e = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') {
      const hit = SQLITE_CODES.find(([re]) => re.test(code));
      if (hit) return { kind: hit[1], code };
    }
    // drizzle's own wrapper repeats the bound parameters in its message: only its cause is read.
    const message = (e as { message?: unknown }).message;
    if (typeof message === 'string' && !('params' in (e as object))) {
      const hit = MESSAGES.find(([re]) => re.test(message));
      if (hit) return { kind: hit[1], code: hit[2] };
    }
  }
  return null;
}

/** Seconds a client should wait: a lock passes in a moment, a full or failing disk needs a person. */
export const retryAfterSeconds = (fault: StorageFault) => (fault.kind === 'busy' ? 1 : 30);
