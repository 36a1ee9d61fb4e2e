// autocannon ships no types; this is the part the benchmarks use.
declare module 'autocannon' {
  type Histogram = { average: number; p50: number; p99: number; total: number };
  type Result = { requests: Histogram; latency: Histogram; non2xx: number; errors: number; timeouts: number };
  export default function autocannon(opts: Record<string, unknown>): Promise<Result>;
}
