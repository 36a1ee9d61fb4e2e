import type { ResendErrorBody } from './types';

/**
 * Resend's `Idempotency-Key`: a repeat with the same method, path, batch mode and (canonical
 * JSON) body replays the first answer; a different payload is 409 invalid_idempotent_request; a
 * repeat while the first is still in progress is 409 concurrent_idempotent_requests. Only
 * successful answers are stored, so validation errors, faults and rate limits consume no key.
 */

const MAX_KEY = 256;

function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

export type IdempotencyCheck = { replay: { status: number; body: unknown } } | { error: ResendErrorBody } | { fresh: true };

export function idempotencyStore() {
  const stored = new Map<string, { status: number; body: unknown; fingerprint: string }>();
  const inFlight = new Set<string>();
  return {
    fingerprint: (method: string, path: string, mode: string, body: unknown) => `${method} ${path} ${mode} ${canonicalJson(body)}`,
    /** What a request under `key` gets before validation. */
    check(key: string, fingerprint: string): IdempotencyCheck {
      if (key.length < 1 || key.length > MAX_KEY) return { error: { statusCode: 400, name: 'invalid_idempotency_key', message: 'The key must be between 1-256 chars.' } };
      const first = stored.get(key);
      if (first && first.fingerprint === fingerprint) return { replay: first };
      if (first) {
        const message = 'Same idempotency key used with a different request payload. Change your idempotency key or payload.';
        return { error: { statusCode: 409, name: 'invalid_idempotent_request', message } };
      }
      if (inFlight.has(key)) {
        const message = 'Same idempotency key used while original request is still in progress. Try the request again later.';
        return { error: { statusCode: 409, name: 'concurrent_idempotent_requests', message } };
      }
      return { fresh: true };
    },
    begin: (key: string) => void inFlight.add(key),
    end: (key: string) => void inFlight.delete(key),
    store: (key: string, answer: { status: number; body: unknown; fingerprint: string }) => void stored.set(key, answer),
    clear() {
      stored.clear();
      inFlight.clear();
    },
  };
}
