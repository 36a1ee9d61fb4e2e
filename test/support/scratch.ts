import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach } from 'vitest';
import { type ListeningServer, type ServerProcess, startListening } from './server-process';

/**
 * The temporary folders and server processes of one test file: after its last test the servers are
 * stopped (SIGTERM, then SIGKILL) and the folders removed. Call once at the top of the file.
 */
export function scratch(prefix: string) {
  const dirs: string[] = [];
  const servers: ServerProcess[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  return {
    /** A new empty folder. */
    dir(): string {
      const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
      dirs.push(dir);
      return dir;
    },
    /** Stops `server` after the file's tests, whatever they did. */
    track<T extends ServerProcess>(server: T): T {
      servers.push(server);
      return server;
    },
  };
}

/**
 * What one test starts (servers, imitations, folders) is undone after it, the last first. Call once
 * at the top of the file; `start` runs a listening server that is SIGKILLed after the test.
 */
export function perTest() {
  const cleanups: Array<() => Promise<unknown> | void> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  return {
    /** Runs `cleanup` after the current test. */
    later(cleanup: () => Promise<unknown> | void) {
      cleanups.push(cleanup);
    },
    async start(env: Record<string, string>): Promise<ListeningServer> {
      const server = await startListening(env);
      cleanups.push(() => server.kill('SIGKILL'));
      return server;
    },
  };
}
