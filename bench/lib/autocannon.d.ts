// autocannon ships no types; this is the part the benchmarks use.
declare module 'autocannon' {
  type Histogram = { average: number; p50: number; p99: number; total: number };
  type Result = { requests: Histogram; latency: Histogram; non2xx: number; errors: number; timeouts: number };
  /** The run: a promise of the result that also emits 'response' (client, status, bytes, ms) per answer. */
  type Run = Promise<Result> & { on(event: 'response', listener: (client: unknown, status: number, bytes: number, ms: number) => void): Run };
  export default function autocannon(opts: Record<string, unknown>): Run;
}
