import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import type { ServerProcess } from './server-process';

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
