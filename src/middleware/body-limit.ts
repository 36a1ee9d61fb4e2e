import type { MiddlewareHandler } from 'hono';
import { bodyLimit as honoBodyLimit } from 'hono/body-limit';
import type { AppEnv } from '../deps';
import { ApiError } from '../errors';

/** Provider webhooks get SNS's own ceiling: a refused bounce notification is a bounce never applied. */
export const WEBHOOK_MAX_BYTES = 256 * 1024;

/** The streamed import (a whole exported list): IMPORT_MAX_BYTES instead of the small-body limit. */
export const IMPORT_PATH = /^\/v1\/lists\/[^/]+\/imports$/;

/** The console's settings form: every text field of a list at its longest, percent-encoded Japanese included. */
export const CONSOLE_MAX_BYTES = 64 * 1024;

/** The console's import upload: a form post, which the CSRF check reads whole before the file is imported. */
export const CONSOLE_IMPORT_PATH = /^\/admin\/lists\/[^/]+\/imports$/;

/**
 * A form upload is held in memory while it is imported (a Worker has 128 MB): a few MB (some
 * 80,000 rows of `email,name`) here, larger files through the CLI, which streams them to the API.
 */
export const CONSOLE_IMPORT_MAX_BYTES = 4 * 1024 * 1024;

export type BodyLimitOptions = {
  maxBytes: number;
  maxBytesFor?: (path: string) => number | undefined;
  /** Routes that read their body as a stream and enforce the limit themselves (streamedBody): only a declared length is checked here. */
  streamed?: (path: string) => boolean;
};

/**
 * Refuses bodies over the limit with 413: `maxBytesFor(path)` for routes with their own ceiling,
 * `maxBytes` for the rest. A declared length is checked from the header, as hono's bodyLimit itself
 * does; asking bodyLimit would first touch `raw.body`, which makes @hono/node-server build a whole
 * Web Request per request (~5 % of a signup's CPU, bench/RESULTS.md). Streamed bodies go through it.
 */
export function bodyLimit(options: BodyLimitOptions): MiddlewareHandler<AppEnv> {
  const limiters = new Map<number, MiddlewareHandler>();
  const limiter = (maxSize: number) => {
    let l = limiters.get(maxSize);
    if (!l) {
      l = honoBodyLimit({ maxSize, onError: (c) => { throw tooLarge(maxSize, c.req.path); } });
      limiters.set(maxSize, l);
    }
    return l;
  };
  return async function bodyLimitMiddleware(c, next) {
    const max = options.maxBytesFor?.(c.req.path) ?? options.maxBytes;
    const length = c.req.header('content-length');
    if (length !== undefined && !c.req.header('transfer-encoding')) {
      if (parseInt(length, 10) > max) throw tooLarge(max, c.req.path);
      return next();
    }
    // hono's bodyLimit would buffer the whole body to count it: a streamed route counts as it reads.
    if (options.streamed?.(c.req.path)) return next();
    return limiter(max)(c, next);
  };
}

const tooLarge = (max: number, path: string) =>
  new ApiError(
    'payload_too_large',
    CONSOLE_IMPORT_PATH.test(path)
      ? `The console takes files up to ${+(max / 1048576).toFixed(1)} MB. Import larger files with the CLI, which streams them: npx listgate import <list> <file> --mode <mode>.`
      : `The body is larger than ${max} bytes.`,
  );
