import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { benchSeconds } from './types';

export type LoadResult = {
  /** Server CPU (user + system) per completed request, when `pid` was given: insensitive to other load on the machine. */
  cpuMsPerRequest?: number;
  rps: number;
  /** Answer times in ms with sub-millisecond precision (autocannon's own histogram counts whole ms). */
  p50: number;
  p99: number;
  total: number;
  non2xx: number;
  errors: number;
  timeouts: number;
};

export type LoadOptions = {
  url: string;
  method?: 'GET' | 'POST';
  /** Called for every request, with a counter unique within this run. */
  request?: (n: number) => { path?: string; headers?: Record<string, string>; body?: string };
  path?: string;
  headers?: Record<string, string>;
  connections?: number;
  seconds?: number;
  /** The server process, to measure its CPU time over the run. */
  pid?: number;
};

/** utime + stime of a process in ms, from /proc (Linux; undefined elsewhere). */
function cpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return undefined;
  }
}

/** One autocannon run; every request can differ (distinct addresses, client addresses, tokens). */
export async function load(opts: LoadOptions): Promise<LoadResult> {
  let n = 0;
  const cpuBefore = cpuMs(opts.pid);
  const times: number[] = [];
  const run = autocannon({
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
  run.on('response', (_client: unknown, _status: number, _bytes: number, ms: number) => void times.push(ms));
  const result = await run;
  const cpuAfter = cpuMs(opts.pid);
  times.sort((a, b) => a - b);
  const quantile = (q: number) => (times.length ? times[Math.min(times.length - 1, Math.ceil(q * times.length) - 1)] : NaN);
  return {
    cpuMsPerRequest: cpuBefore !== undefined && cpuAfter !== undefined ? (cpuAfter - cpuBefore) / result.requests.total : undefined,
    rps: result.requests.average,
    p50: quantile(0.5),
    p99: quantile(0.99),
    total: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

/** "server CPU/request 1.20 ms vs ceiling 0.09 ms (0.08)": the load-independent view of a ratio. */
export function cpuNote(app: LoadResult, ceiling: LoadResult): string {
  if (app.cpuMsPerRequest === undefined || ceiling.cpuMsPerRequest === undefined) return '';
  return `server CPU/request ${app.cpuMsPerRequest.toFixed(3)} ms vs ceiling ${ceiling.cpuMsPerRequest.toFixed(3)} ms (ratio ${(ceiling.cpuMsPerRequest / app.cpuMsPerRequest).toFixed(2)})`;
}
