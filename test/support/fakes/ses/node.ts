import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createSesFake, type SesFake } from './core';
import type { SesFakeOptions } from './types';

export type SesImitation = SesFake & { endpoint: string; close(): Promise<void> };

const readBody = (req: IncomingMessage) =>
  new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });

/**
 * The SES imitation over HTTP on 127.0.0.1 (an ephemeral port), for the SES mailer in this process
 * or in a spawned server (`SES_ENDPOINT=<endpoint>`). A dropped request destroys its socket.
 */
export async function startSesImitation(opts: SesFakeOptions = {}): Promise<SesImitation> {
  const fake = createSesFake(opts);
  const sockets = new Set<Socket>();
  const server = createServer(async (req, res) => {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
    const answer = await fake.handle({ method: req.method ?? 'GET', url: `http://${headers.host ?? '127.0.0.1'}${req.url ?? '/'}`, headers, body: await readBody(req) }, () => res.destroyed);
    if (answer.drop) {
      res.socket?.destroy();
      return;
    }
    res.writeHead(answer.status, { ...answer.headers, 'content-length': Buffer.byteLength(answer.body) });
    res.end(answer.body);
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let closing: Promise<void> | null = null;
  return Object.assign(fake, {
    endpoint,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
      return closing;
    },
  });
}
