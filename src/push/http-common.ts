import type { PostOutcome } from '../deps';

/** Bytes of an answer's body read at most; the rest is never downloaded. */
export const EXCERPT_BYTES = 1024;
/** Characters of it kept (shown in the deliveries list). */
export const EXCERPT_CHARS = 200;

/** The start of a body, as printable text: read up to EXCERPT_BYTES, then the stream is cancelled. */
export async function readExcerpt(chunks: AsyncIterable<Uint8Array>): Promise<string> {
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of chunks) {
    parts.push(chunk);
    size += chunk.byteLength;
    if (size >= EXCERPT_BYTES) break;
  }
  const bytes = new Uint8Array(Math.min(size, EXCERPT_BYTES));
  let at = 0;
  for (const p of parts) {
    const take = p.subarray(0, bytes.length - at);
    bytes.set(take, at);
    at += take.byteLength;
    if (at >= bytes.length) break;
  }
  // eslint-disable-next-line no-control-regex
  return new TextDecoder().decode(bytes).replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').trim().slice(0, EXCERPT_CHARS);
}

/** A web ReadableStream as chunks, cancelled when the reader stops early. */
export async function* streamChunks(body: ReadableStream<Uint8Array> | null): AsyncIterable<Uint8Array> {
  if (!body) return;
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.cancel().catch(() => {});
  }
}

const NETWORK_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'name lookup failed',
  UND_ERR_SOCKET: 'connection closed',
};

/**
 * Why a request got no answer, in a few words: from error names and codes only, never a message
 * (they may quote the URL, which can hold a receiver's secret path).
 */
export function describeFailure(err: unknown, timeoutMs: number): PostOutcome {
  const e = err as { name?: string; code?: string; cause?: { code?: string; name?: string } };
  const codes = [e.code, e.cause?.code, e.name, e.cause?.name].filter((c): c is string => typeof c === 'string');
  if (codes.some((c) => c === 'TimeoutError' || c === 'AbortError' || /TIMEOUT/.test(c))) return { error: `timed out after ${timeoutMs} ms` };
  for (const c of codes) if (NETWORK_CODES[c]) return { error: NETWORK_CODES[c] };
  const tls = codes.find((c) => /CERT|TLS|SSL/.test(c));
  if (tls) return { error: `TLS: ${tls}` };
  return { error: `network error${codes[0] ? `: ${codes[0]}` : ''}` };
}
