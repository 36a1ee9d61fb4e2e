import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** A request as an imitation's handler sees it: the whole URL, flat headers, the body as text. */
export type ServedRequest = { method: string; url: URL; headers: Record<string, string>; body: string };
/** What the handler answers; `drop` closes the connection without an answer. */
export type ServedAnswer = { drop: true } | { status: number; headers: Record<string, string>; body: string; drop?: false };

export type Served = { port: number; url: string; close(): Promise<void> };

const readBody = (req: IncomingMessage) =>
  new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });

/**
 * Serves a provider imitation over HTTP on 127.0.0.1 (an ephemeral port unless told). A dropped
 * request destroys its socket; a handler that throws (a bug in the imitation, or a client gone
 * mid-body) answers `bug(err)` if anyone still listens. `close()` ends every open connection.
 */
export async function serveImitation(
  handle: (req: ServedRequest, gone: () => boolean) => Promise<ServedAnswer>,
  opts: { port?: number; bug: (err: unknown) => { status: number; headers: Record<string, string>; body: string } },
): Promise<Served> {
  const sockets = new Set<Socket>();
  const server = createServer(async (req, res) => {
    try {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
      const body = await readBody(req);
      const url = new URL(req.url ?? '/', `http://${headers.host ?? '127.0.0.1'}`);
      const answer = await handle({ method: req.method ?? 'GET', url, headers, body }, () => res.destroyed);
      if (answer.drop === true) {
        res.socket?.destroy();
        res.destroy();
        return;
      }
      res.writeHead(answer.status, { ...answer.headers, 'content-length': Buffer.byteLength(answer.body) });
      res.end(answer.body);
    } catch (err) {
      if (res.headersSent || res.destroyed) return;
      const answer = opts.bug(err);
      res.writeHead(answer.status, answer.headers);
      res.end(answer.body);
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
  let closing: Promise<void> | null = null;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    close() {
      closing ??= (async () => {
        const done = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        for (const s of sockets) s.destroy();
        sockets.clear();
        await done;
      })();
      return closing;
    },
  };
}
