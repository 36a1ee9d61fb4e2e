import { errorFor } from './errors';
import type { Fault, ResendErrorBody } from './types';

/** The fault a test installed: applied to matching requests until `times` or `until` clears it. */
export function faultState() {
  let fault: (Fault & { remaining?: number }) | null = null;
  return {
    set(f: Fault | null) {
      fault = f ? { ...f, remaining: f.times } : null;
      if (fault?.remaining !== undefined && fault.remaining <= 0) fault = null;
    },
    get: (): Fault | null => fault,
    /** The fault for this request (consuming one of `times`), or null. */
    take(method: string, path: string): Fault | null {
      if (!fault) return null;
      if (fault.until?.()) return (fault = null);
      if (fault.match && !fault.match({ method, path })) return null;
      const f = fault;
      if (f.remaining !== undefined && --f.remaining <= 0) fault = null;
      return f;
    },
  };
}

/**
 * What an answering fault sends: Resend's error JSON (429 with its ratelimit-* headers), or a raw
 * body such as a proxy's HTML page.
 */
export function faultAnswer(f: Fault, rate: { limit: number | null; message(): string }) {
  const status = f.status ?? 500;
  const headers: Record<string, string> = {};
  const retryAfter = f.retryAfter ?? (status === 429 ? 1 : undefined);
  if (retryAfter !== undefined) headers['retry-after'] = String(retryAfter);
  if (status === 429) Object.assign(headers, { 'ratelimit-limit': String(rate.limit ?? 2), 'ratelimit-remaining': '0', 'ratelimit-reset': String(retryAfter ?? 1) });
  if (f.body !== undefined) return { raw: f.body, status, headers };
  const def = errorFor(status);
  const error: ResendErrorBody = { statusCode: status, name: f.name ?? def.name, message: f.message ?? (status === 429 ? rate.message() : def.message) };
  return { error, status, headers };
}
