import type { ResendFake } from './types';

/**
 * The Resend imitation as the global fetch inside workerd, where the resend SDK calls fetch and
 * no socket can be opened. Each imitation answers under its own base URL; a request to any other
 * origin is refused, so a test can never reach the network. A dropped request rejects as fetch
 * does on a lost connection, which the SDK reports with `statusCode: null`.
 */
const routes = new Map<string, ResendFake>();
let realFetch: typeof fetch | null = null;

async function answer(fake: ResendFake, prefix: string, req: Request): Promise<Response> {
  const url = new URL(req.url);
  const body = req.body ? await req.text() : '';
  let gone = false;
  const abort = new Promise<never>((_, reject) => {
    const fail = () => ((gone = true), reject(req.signal.reason ?? new DOMException('aborted', 'AbortError')));
    if (req.signal.aborted) fail();
    else req.signal.addEventListener('abort', fail, { once: true });
  });
  abort.catch(() => {}); // once the answer is in, a late abort concerns nobody
  const handled = fake.handle({ method: req.method, path: url.pathname.slice(prefix.length) || '/', query: url.search, headers: Object.fromEntries(req.headers), body }, () => gone);
  const a = await Promise.race([handled, abort]);
  if (a.drop) throw new TypeError('fetch failed: connection dropped by the resend imitation');
  return new Response(a.body, { status: a.status, headers: a.headers });
}

/** Routes fetch calls under `baseUrl` to `fake`; answers a function that removes the route. */
export function routeResendFetch(baseUrl: string, fake: ResendFake): () => void {
  const base = baseUrl.replace(/\/+$/, '');
  routes.set(base, fake);
  if (!realFetch) {
    realFetch = globalThis.fetch;
    globalThis.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
      const req = new Request(input, init);
      for (const [prefix, f] of routes) {
        if (req.url === prefix || req.url.startsWith(`${prefix}/`)) return answer(f, new URL(prefix).pathname.replace(/\/$/, ''), req);
      }
      throw new Error(`test refused a request to ${new URL(req.url).origin}`);
    };
  }
  return () => void routes.delete(base);
}
