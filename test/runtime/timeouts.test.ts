import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LONG_BODY_ROUTE } from '../../src/node';
import { startNodeEntry, type ServerProcess } from '../support/server-process';

let server: ServerProcess;
let port: number;
const dir = mkdtempSync(join(tmpdir(), 'listgate-timeouts-'));

beforeAll(async () => {
  server = startNodeEntry({ PORT: '0', DATABASE_PATH: join(dir, 'listgate.db'), HTTP_HEADERS_TIMEOUT_MS: '1000', HTTP_REQUEST_TIMEOUT_MS: '1500' });
  port = Number((await server.waitFor(/listening on http:\/\/127\.0\.0\.1:(\d+)/))[1]);
});
afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Opens a connection, writes `text`, and resolves with what came back once the server closed it. */
function dribble(text: string): { socket: Socket; closed: Promise<string> } {
  const socket = connect(port, '127.0.0.1');
  let answer = '';
  socket.on('data', (d) => (answer += d.toString()));
  socket.on('error', () => {});
  socket.write(text);
  return { socket, closed: new Promise((resolve) => socket.on('close', () => resolve(answer))) };
}

describe('Node server timeouts for small bodies (slow senders are cut off)', { timeout: 30_000 }, () => {
  it('closes a connection whose body stops arriving, while other requests are answered', async () => {
    const slow = dribble('POST /lists/newsletter/subscribe HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"email":');
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    expect(await slow.closed).not.toContain('202');
  });

  it('closes a connection whose headers never finish', async () => {
    const slow = dribble('GET /lists/newsletter HTTP/1.1\r\nHost: x\r\n');
    const answer = await slow.closed;
    expect(answer === '' || answer.startsWith('HTTP/1.1 408')).toBe(true);
  });

  it('exempts only the streamed import route (a later issue) from the small-body limit', () => {
    for (const path of ['/v1/lists/newsletter/imports', '/v1/lists/a-b/imports?mode=confirmed&dry_run=1']) expect(LONG_BODY_ROUTE.test(path), path).toBe(true);
    for (const path of ['/v1/lists/newsletter', '/lists/newsletter/subscribe', '/v1/lists/x/importsx', '/v1/imports']) expect(LONG_BODY_ROUTE.test(path), path).toBe(false);
  });
});
