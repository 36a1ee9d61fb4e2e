import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** Every child process group the benchmarks started; all are killed on exit, SIGINT and SIGTERM. */
const children = new Set<ChildProcess>();
const tempDirs = new Set<string>();

function killGroup(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM') {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    // Negative pid: the whole group (tsx spawns node under it).
    process.kill(-child.pid, signal);
  } catch {
    /* already gone */
  }
}

export function cleanupAll() {
  for (const c of children) killGroup(c, 'SIGKILL');
  children.clear();
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
  tempDirs.clear();
}
process.on('exit', cleanupAll);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(sig, () => {
    cleanupAll();
    process.exit(130);
  });
}

/** A temporary directory removed when the benchmark process ends. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `listgate-bench-${prefix}-`));
  tempDirs.add(dir);
  return dir;
}

export type Server = { url: string; pid: number; stop(): Promise<void> };

/**
 * Starts `node --import tsx <script>` in its own process group with PORT=0 on 127.0.0.1, and
 * waits for a line naming `http://127.0.0.1:<port>`. Output goes to a file, not a pipe, so the
 * benchmark process spends no CPU reading it (on 2 cores that would distort the numbers).
 */
export async function startServer(script: string, env: Record<string, string>, opts: { timeoutMs?: number; nodeArgs?: string[] } = {}): Promise<Server> {
  const dir = tempDir('out');
  const outPath = join(dir, 'stdout.log');
  const out = openSync(outPath, 'w');
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), '--import', 'tsx', resolve(script)], {
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', out, out],
    detached: true,
  });
  children.add(child);
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  let url: string | undefined;
  while (!url) {
    if (child.exitCode !== null) throw new Error(`${script} exited early:\n${readFileSync(outPath, 'utf8').slice(-2000)}`);
    if (Date.now() > deadline) {
      killGroup(child, 'SIGKILL');
      throw new Error(`${script} did not print its port in time`);
    }
    url = readFileSync(outPath, 'utf8').match(/http:\/\/127\.0\.0\.1:(\d+)/)?.[0];
    if (!url) await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    pid: child.pid!,
    async stop() {
      const exited = new Promise<void>((r) => (child.exitCode !== null ? r() : child.once('exit', () => r())));
      killGroup(child, 'SIGTERM');
      const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
      children.delete(child);
    },
  };
}

/**
 * Runs a stand-alone bench script (`node --import tsx <script>`) to its end in its own process
 * group (killed with the others if the run is stopped); output goes to a file and is answered.
 */
export async function runScript(script: string, env: Record<string, string> = {}): Promise<{ code: number; output: string }> {
  const dir = tempDir('script');
  const outPath = join(dir, 'stdout.log');
  const out = openSync(outPath, 'w');
  const child = spawn(process.execPath, ['--import', 'tsx', resolve(script)], { env: { ...process.env, ...env }, stdio: ['ignore', out, out], detached: true });
  children.add(child);
  const code = await new Promise<number>((r) => child.once('exit', (c, signal) => r(c ?? (signal ? 128 : 1))));
  children.delete(child);
  return { code, output: readFileSync(outPath, 'utf8') };
}
