import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type SiteverifyMode = 'pass' | 'fail' | 'hang' | 'error' | 'garbage';

/**
 * A local imitation of Cloudflare's Turnstile siteverify on 127.0.0.1: a form POST with
 * `secret`, `response`, `remoteip`; answers `{success, error-codes}` like the real one.
 * Tokens beginning with "pass" succeed in mode "pass"; every request is recorded.
 */
export async function startSiteverify(secret: string) {
  let mode: SiteverifyMode = 'pass';
  const requests: Array<Record<string, string>> = [];
  const hanging = new Set<IncomingMessage>();
  let abandoned = 0;
  const server: Server = createServer(async (req, res) => {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    const fields = Object.fromEntries(new URLSearchParams(raw));
    requests.push(fields);
    if (mode === 'hang') {
      hanging.add(req);
      res.on('close', () => void (hanging.delete(req) && abandoned++));
      return; // never answers; the client's timeout must fire
    }
    if (mode === 'error') {
      res.writeHead(500).end('oops');
      return;
    }
    if (mode === 'garbage') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('<html>');
      return;
    }
    const ok = mode === 'pass' && fields.secret === secret && fields.response?.startsWith('pass');
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(ok ? { success: true, 'error-codes': [] } : { success: false, 'error-codes': ['invalid-input-response'] }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/turnstile/v0/siteverify`;
  return {
    url,
    requests,
    setMode: (m: SiteverifyMode) => void (mode = m),
    /** Requests left unanswered whose client gave up and closed the connection. */
    abandoned: () => abandoned,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** A URL on 127.0.0.1 where nothing listens (a port we bound and released). */
export async function closedPortUrl(): Promise<string> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return `http://127.0.0.1:${port}/siteverify`;
}
