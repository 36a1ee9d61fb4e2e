import type { OutboxMessage } from '../../src/db/schema';

/**
 * Inside workerd the resend SDK calls the global fetch; this stands in for it. Requests to
 * RESEND_BASE_URL are answered like Resend's batch API (recording each mail); anything else is
 * refused, so a test can never reach the network by accident.
 */
export const resendStub = {
  sent: [] as OutboxMessage[],
  requests: [] as { path: string; idempotencyKey: string | null }[],
  /** How many of the next batch requests answer 500 (retryable). */
  failNext: 0,
};

const realFetch = globalThis.fetch;

export function installResendStub(baseUrl: string) {
  globalThis.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const req = new Request(input, init);
    const url = new URL(req.url);
    if (!req.url.startsWith(baseUrl)) throw new Error(`test refused a request to ${url.origin}`);
    resendStub.requests.push({ path: url.pathname, idempotencyKey: req.headers.get('idempotency-key') });
    if (resendStub.failNext > 0) {
      resendStub.failNext--;
      return Response.json({ statusCode: 500, name: 'internal_server_error', message: 'imitated failure' }, { status: 500 });
    }
    if (req.method !== 'POST' || url.pathname !== '/emails/batch') return Response.json({ statusCode: 404, name: 'not_found', message: 'no route' }, { status: 404 });
    const mails = (await req.json()) as { from: string; to: string[]; subject: string; html: string; text: string; headers?: Record<string, string> }[];
    const ids = mails.map((m) => {
      for (const to of m.to) resendStub.sent.push({ from: m.from, to, subject: m.subject, html: m.html, text: m.text, headers: m.headers });
      return { id: crypto.randomUUID() };
    });
    return Response.json({ data: ids });
  };
  return () => void (globalThis.fetch = realFetch);
}
