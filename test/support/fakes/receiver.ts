import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { vi } from 'vitest';

export type Received = { path: string; headers: IncomingHttpHeaders; body: string; json: any; at: number };
/** How the receiver answers one request: a status (and body), a hang (no answer), or a redirect. */
export type Answer = { status: number; body?: string; headers?: Record<string, string> } | { hang: true };

/**
 * A webhook receiver on 127.0.0.1: records every request, answers from a script (`answers`, one
 * per request, then 204), so tests can make it fail, hang or redirect.
 */
export async function startReceiver() {
  const received: Received[] = [];
  const script: Answer[] = [];
  const hanging = new Set<() => void>();
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      let json: unknown = null;
      try {
        json = JSON.parse(body);
      } catch {
        /* recorded as it came */
      }
      received.push({ path: req.url ?? '/', headers: req.headers, body, json, at: Date.now() });
      const answer = script.shift() ?? { status: 204 };
      if ('hang' in answer) {
        const end = () => res.destroy();
        hanging.add(end);
        res.on('close', () => hanging.delete(end));
        return;
      }
      res.writeHead(answer.status, answer.headers).end(answer.body ?? '');
    });
  });
  let connections = 0;
  server.on('connection', () => connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}/hook`,
    received,
    /** TCP connections accepted so far (a refused target must not even connect). */
    connections: () => connections,
    /** The next answers, in order (afterwards: 204). */
    answer: (...answers: Answer[]) => void script.push(...answers),
    close: () =>
      new Promise<void>((r) => {
        for (const end of hanging) end();
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
export type Receiver = Awaited<ReturnType<typeof startReceiver>>;

/**
 * Verifies a delivery as a receiver would, with the `standardwebhooks` package, on a receiver whose
 * clock reads `nowMs` (the library checks the timestamp against Date.now()). Answers the payload.
 */
export function verifyDelivery(secret: string, r: Pick<Received, 'headers' | 'body'>, nowMs: number): any {
  vi.useFakeTimers({ toFake: ['Date'], now: nowMs });
  try {
    return new Webhook(secret).verify(r.body, r.headers as Record<string, string>);
  } finally {
    vi.useRealTimers();
  }
}
