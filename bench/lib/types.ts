/**
 * The one interface between `bench/run.ts` and a scenario module: every `bench/*.ts` file
 * (other than run.ts) exports `run()` answering one or more results.
 */
export type BenchResult = {
  /** What was measured, e.g. "signup throughput". */
  name: string;
  /** listgate's number. */
  value: number;
  /** req/s, ms, MB, mails/s ... */
  unit: string;
  /** The same measurement on the bare-bones ceiling, in the same run, when there is one. */
  ceiling?: number;
  /** value / ceiling (or ceiling / value for times), as the target is phrased. */
  ratio?: number;
  /** The target in words, e.g. "ratio >= 0.6" or "p99 < 20 ms". */
  target: string;
  /** null: not measured (skipped), with the reason in `note`. */
  pass: boolean | null;
  note?: string;
};

export type BenchModule = { run(): Promise<BenchResult[]> };

/** Seconds each load run lasts; `BENCH_SECONDS` shortens or lengthens every scenario. */
export const benchSeconds = () => Number(process.env.BENCH_SECONDS ?? 10);

/** Marks the one line in a stand-alone script's output that holds its results as JSON. */
export const RESULTS_LINE = 'bench-results: ';

/**
 * How a stand-alone script (export, drain, timing) hands its results to bench/run.ts: the targets
 * are judged where they are measured, and the runner only reads this line (NaN becomes null in JSON).
 */
export function printResults(results: BenchResult[]): void {
  console.log(`${RESULTS_LINE}${JSON.stringify(results)}`);
}

/** The results line of a script's output, or undefined when the script printed none. */
export function readResults(output: string): BenchResult[] | undefined {
  const line = output.split('\n').find((l) => l.startsWith(RESULTS_LINE));
  if (!line) return undefined;
  return (JSON.parse(line.slice(RESULTS_LINE.length)) as BenchResult[]).map((r) => ({ ...r, value: r.value ?? NaN }));
}
