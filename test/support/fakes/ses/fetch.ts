import type { SesFake } from './core';

/**
 * Routes the global fetch's calls under `endpoint` to the SES imitation (inside workerd, where the
 * worker's SES mailer calls the global fetch and no socket can be opened); every other call goes to
 * the fetch that was there before. Answers a function that restores it.
 */
export function routeSesFetch(endpoint: string, fake: SesFake): () => void {
  const previous = globalThis.fetch;
  const base = endpoint.replace(/\/+$/, '');
  globalThis.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    return request.url.startsWith(`${base}/`) ? fake.fetch(request) : previous(input, init);
  };
  return () => void (globalThis.fetch = previous);
}
