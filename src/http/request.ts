import type { Context } from 'hono';
import type { AppEnv } from '../deps';
import { ApiError } from '../errors';

function qualityOf(accept: string, type: string): number {
  const [major] = type.split('/');
  let best = -1;
  let bestSpecificity = -1;
  for (const part of accept.split(',')) {
    const [range, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const quality = q ? Number(q.slice(2)) : 1;
    const specificity = range === type ? 2 : range === `${major}/*` ? 1 : range === '*/*' ? 0 : -1;
    if (specificity > bestSpecificity && Number.isFinite(quality)) {
      best = quality;
      bestSpecificity = specificity;
    }
  }
  return best;
}

/**
 * The contract's rule: JSON when the body is JSON or Accept prefers application/json over text/html;
 * everything else is a browser request.
 */
export function wantsJson(c: Context): boolean {
  const type = c.req.header('content-type') ?? '';
  if (/^application\/([a-z0-9.+-]*\+)?json\b/i.test(type)) return true;
  const accept = c.req.header('accept');
  if (!accept) return false;
  return qualityOf(accept, 'application/json') > qualityOf(accept, 'text/html');
}

/** The client address the entry passed in (src/node.ts, src/worker.ts); 'unknown' when none did. */
export function clientIp(c: Pick<Context<AppEnv>, 'env'>): string {
  return c.env?.clientIp?.slice(0, 64) || 'unknown';
}

export type BodyFields = Record<string, unknown>;

const JSON_TYPE = /^application\/([a-z0-9.+-]*\+)?json\b/;

function parseJsonObject(text: string): BodyFields {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ApiError('bad_request', 'The body is not valid JSON.');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ApiError('invalid_input', 'The JSON body must be an object.', {
      extra: { errors: [{ field: '(body)', code: 'invalid_type', message: 'expected object' }] },
    });
  }
  return parsed as BodyFields;
}

/** Reads a JSON object body (the /v1 API takes JSON only): other or no content type 415, broken JSON 400, not an object 422. */
export async function readJsonObject(c: Context): Promise<BodyFields> {
  if (!JSON_TYPE.test((c.req.header('content-type') ?? '').toLowerCase())) throw new ApiError('unsupported_media_type', 'Send application/json.');
  return parseJsonObject(await c.req.text());
}

/**
 * Reads a form-urlencoded, multipart or JSON body into plain fields.
 * Malformed bodies are 400, other content types 415; never a 500.
 */
export async function readBody(c: Context, opts: { allowEmpty?: boolean } = {}): Promise<BodyFields> {
  const type = (c.req.header('content-type') ?? '').toLowerCase();
  if (!type) {
    const text = await c.req.text();
    if (text.length === 0 && opts.allowEmpty) return {};
    throw new ApiError('unsupported_media_type', 'Send application/x-www-form-urlencoded, multipart/form-data or application/json.');
  }
  if (JSON_TYPE.test(type)) return parseJsonObject(await c.req.text());
  if (type.startsWith('application/x-www-form-urlencoded') || type.startsWith('multipart/form-data')) {
    try {
      const body = await c.req.parseBody({ all: false });
      return Object.fromEntries(Object.entries(body).filter(([, v]) => typeof v === 'string')) as BodyFields;
    } catch {
      throw new ApiError('bad_request', 'The form body could not be read.');
    }
  }
  throw new ApiError('unsupported_media_type', 'Send application/x-www-form-urlencoded, multipart/form-data or application/json.');
}

/**
 * A streamed request body (the import) read as it arrives, never buffered: past `maxBytes` the
 * stream fails with 413 (what was read before is the reader's: an import keeps its whole chunks).
 */
export function streamedBody(c: Context<AppEnv>, maxBytes: number): ReadableStream<Uint8Array> {
  const body = c.req.raw.body;
  if (!body) throw new ApiError('invalid_input', 'The body is empty: send the file.');
  let seen = 0;
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        seen += chunk.byteLength;
        if (seen > maxBytes) controller.error(new ApiError('payload_too_large', `The body is larger than ${maxBytes} bytes.`));
        else controller.enqueue(chunk);
      },
    }),
  );
}
