import { join } from 'node:path';
import { load, type LoadOptions, type LoadResult } from './load';
import { startServer, tempDir } from './processes';

/**
 * Runs the same load against the bare Hono + one-INSERT server (bench/servers/ceiling.ts) in its
 * own process, after a short warm-up, and stops it.
 */
export async function measureCeiling(opts: Omit<LoadOptions, 'url'>): Promise<LoadResult> {
  const server = await startServer('bench/servers/ceiling.ts', { DATABASE_PATH: join(tempDir('ceiling'), 'ceiling.db') });
  try {
    await load({ ...opts, url: server.url, seconds: 2 });
    return await load({ ...opts, url: server.url, pid: server.pid });
  } finally {
    await server.stop();
  }
}
