import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const projectRoot = fileURLToPath(new URL('../..', import.meta.url));

export type ServerProcess = {
  child: ChildProcess;
  /** stdout and stderr so far, interleaved. */
  output(): string;
  /** Resolves with the first match of `pattern` in the output; rejects on exit or timeout. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Resolves with the exit code once the process has ended. */
  exited: Promise<number | null>;
  /** SIGTERM to the whole process group (npm -> sh -> tsx -> node), SIGKILL if it lingers. */
  stop(): Promise<number | null>;
};

/**
 * Spawns `command` in its own process group with only the given environment (plus PATH and HOME),
 * so nothing from the developer's shell (a TOKEN_SECRET, a RESEND_API_KEY) leaks in.
 */
export function spawnServer(command: string, args: string[], env: Record<string, string>): ServerProcess {
  const child = spawn(command, args, {
    cwd: projectRoot,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    out += chunk.toString();
    for (const l of listeners) l();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let done = false;
  void exited.then(() => {
    done = true;
    for (const l of listeners) l();
  });

  const waitFor = (pattern: RegExp, timeoutMs = 60_000) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const timer = setTimeout(() => finish(new Error(`timed out waiting for ${pattern}; output:\n${out}`)), timeoutMs);
      const check = () => {
        const m = out.match(pattern);
        if (m) finish(null, m);
        else if (done) finish(new Error(`exited before ${pattern}; output:\n${out}`));
      };
      const finish = (err: Error | null, m?: RegExpMatchArray) => {
        clearTimeout(timer);
        listeners.delete(check);
        if (err) reject(err);
        else resolve(m!);
      };
      listeners.add(check);
      check();
    });

  /** True while any process of the group is alive (npm may exit before its children). */
  const groupAlive = () => {
    try {
      process.kill(-child.pid!, 0);
      return true;
    } catch {
      return false;
    }
  };
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      /* already gone */
    }
  };

  const stop = async () => {
    if (!child.pid) return exited;
    if (groupAlive()) signalGroup('SIGTERM');
    const deadline = Date.now() + 5000;
    while (groupAlive() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    if (groupAlive()) signalGroup('SIGKILL');
    return exited;
  };

  return { child, output: () => out, waitFor, exited, stop };
}

/** The real Node entry as `npm start` runs it, in one process (no tsx CLI wrapper). */
export function startNodeEntry(env: Record<string, string>): ServerProcess {
  return spawnServer(process.execPath, ['--import', 'tsx', 'src/node.ts'], env);
}

/** The Node entry listening on a free port of 127.0.0.1; `kill` sends exactly the given signal to its group. */
export type ListeningServer = ServerProcess & { port: number; kill(signal: NodeJS.Signals): Promise<number | null> };

/**
 * The real server on a free port, for crash tests: kill() sends exactly the given signal
 * (SIGKILL mid-burst, SIGTERM to drain) to the server's own process group.
 */
export async function startListening(env: Record<string, string>, timeoutMs = 30_000): Promise<ListeningServer> {
  const server = startNodeEntry({ HOST: '127.0.0.1', PORT: '0', ...env });
  const kill = async (signal: NodeJS.Signals) => {
    try {
      process.kill(-server.child.pid!, signal);
    } catch {
      /* already gone */
    }
    return server.exited;
  };
  try {
    const m = await server.waitFor(/listening on http:\/\/[^\s:]+:(\d+)/, timeoutMs);
    return { ...server, port: Number(m[1]), kill };
  } catch (err) {
    await kill('SIGKILL');
    throw err;
  }
}
