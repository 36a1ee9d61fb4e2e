import type { Context } from 'hono';

/**
 * Sets a header on the answer a handler already produced. Hono's c.header() at that point
 * rebuilds the whole Response for every header it sets (on Node a full Web Response with a body
 * stream each time; bench/RESULTS.md); our responses' headers are mutable, so they are set in
 * place. A response with immutable headers (one fetched from elsewhere) still goes through c.header().
 */
export function setResponseHeader(c: Context, name: string, value: string, opts?: { append?: boolean }): void {
  try {
    if (opts?.append) c.res.headers.append(name, value);
    else c.res.headers.set(name, value);
  } catch {
    c.header(name, value, opts);
  }
}
