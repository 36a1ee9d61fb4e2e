import type { ChildProcess } from 'node:child_process';
import { startNodeEntry } from './server-process';

export type ServerProcess = { child: ChildProcess; port: number; output: () => string; kill(signal: NodeJS.Signals): Promise<number | null> };

/**
 * The real server on a free port, for crash tests: kill() sends exactly the given signal
 * (SIGKILL mid-burst, SIGTERM to drain) to the server's own process group.
 */
export async function spawnServer(env: Record<string, string>, timeoutMs = 20_000): Promise<ServerProcess> {
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
    return { child: server.child, port: Number(m[1]), output: server.output, kill };
  } catch (err) {
    await kill('SIGKILL');
    throw err;
  }
}
