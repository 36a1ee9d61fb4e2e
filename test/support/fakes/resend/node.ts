import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createResendFake } from './core';
import type { ResendFake, ResendFakeOptions } from './types';

export type { Fault, RecordedRequest, ResendFake, SentMail } from './types';

export type ResendImitationOptions = ResendFakeOptions & {
  /** Port to listen on (127.0.0.1). Default 0 = ephemeral. */
  port?: number;
};

export type ResendImitation = Omit<ResendFake, 'close'> & {
  /** `http://127.0.0.1:<port>` (no trailing slash, the SDK appends `/emails`). */
  baseUrl: string;
  /** Same as baseUrl. */
  url: string;
  port: number;
  /** Closes the server and every open socket. Idempotent. */
  close(): Promise<void>;
};

const readBody = (req: IncomingMessage) =>
  new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });

/**
 * The Resend imitation served over HTTP on 127.0.0.1 (an ephemeral port unless told), for the
 * real resend SDK in this process or in a spawned server. A dropped request destroys its socket.
 *
 *   const api = await startResendImitation();
 *   const resend = new Resend('re_test', { baseUrl: api.baseUrl });
 */
export async function startResendImitation(opts: ResendImitationOptions = {}): Promise<ResendImitation> {
  const fake = createResendFake(opts);
  const sockets = new Set<Socket>();
  const server = createServer(async (req, res) => {
    try {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
      const body = await readBody(req);
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const answer = await fake.handle({ method: req.method ?? 'GET', path: url.pathname, query: url.search, headers, body }, () => res.destroyed);
      if (answer.drop) {
        res.socket?.destroy();
        res.destroy();
        return;
      }
      res.writeHead(answer.status, { ...answer.headers, 'content-length': Buffer.byteLength(answer.body) });
      res.end(answer.body);
    } catch (err) {
      // A bug in the imitation, or a client gone mid-body: answer 500 if anyone still listens.
      if (res.headersSent || res.destroyed) return;
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ statusCode: 500, message: `imitation bug: ${String(err)}`, name: 'internal_server_error' }));
    }
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const baseUrl = `http://127.0.0.1:${port}`;
  let closing: Promise<void> | null = null;
  const stopFake = fake.close;
  return Object.assign(fake, {
    baseUrl,
    url: baseUrl,
    port,
    close() {
      closing ??= (async () => {
        stopFake();
        const done = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        for (const s of sockets) s.destroy();
        sockets.clear();
        await done;
      })();
      return closing;
    },
  });
}
