import autocannon from 'autocannon';
import { benchSeconds } from './types';

export type LoadResult = { rps: number; p50: number; p99: number; total: number; non2xx: number; errors: number; timeouts: number };

export type LoadOptions = {
  url: string;
  method?: 'GET' | 'POST';
  /** Called for every request, with a counter unique within this run. */
  request?: (n: number) => { path?: string; headers?: Record<string, string>; body?: string };
  path?: string;
  headers?: Record<string, string>;
  connections?: number;
  seconds?: number;
};

/** One autocannon run; every request can differ (distinct addresses, client addresses, tokens). */
export async function load(opts: LoadOptions): Promise<LoadResult> {
  let n = 0;
  const result = await autocannon({
    url: opts.url,
    connections: opts.connections ?? 50,
    pipelining: 1,
    duration: opts.seconds ?? benchSeconds(),
    method: opts.method ?? 'GET',
    headers: opts.headers,
    requests: [
      {
        method: opts.method ?? 'GET',
        path: opts.path ?? '/',
        setupRequest: opts.request
          ? (req: Record<string, unknown>) => {
              const r = opts.request!(n++);
              return { ...req, ...r, headers: { ...(req.headers as object), ...opts.headers, ...r.headers } };
            }
          : undefined,
      },
    ],
  });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    total: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}
