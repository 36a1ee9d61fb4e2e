import { isIP } from 'node:net';
import { lookup } from 'node:dns/promises';
import { Agent, request as undiciRequest } from 'undici';
import type { PostOutcome, WebhookTransport } from '../deps';
import { checkTargetUrl, type ResolvedAddress, type Resolver, resolvedRefusal, type TargetPolicy } from '../domain/webhook-target';
import { describeFailure, readExcerpt } from './http-common';

/** The system resolver (getaddrinfo, as connections use), every address of the name. */
export const systemResolver: Resolver = async (hostname) =>
  (await lookup(hostname, { all: true, verbatim: true })).map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));

type LookupCallback = (err: Error | null, address: string | Array<{ address: string; family: number }>, family?: number) => void;

/** A `lookup` for net.connect that answers only `pinned`, whatever name it is asked for. */
function pinnedLookup(pinned: ResolvedAddress) {
  return (_hostname: string, options: { all?: boolean }, callback: LookupCallback) => {
    if (options?.all) callback(null, [{ address: pinned.address, family: pinned.family }]);
    else callback(null, pinned.address, pinned.family);
  };
}

/** Rejects after `ms`: a resolver that hangs must not hold a delivery past its timeout. */
function within<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(Object.assign(new Error('lookup timed out'), { name: 'TimeoutError' })), ms)));
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** Connections kept per target and checked address: a receiver's next delivery skips the TCP and TLS handshakes. */
const AGENT_IDLE_MS = 30_000;
const MAX_AGENTS = 32;

/**
 * Outbound webhooks on Node, with undici. The host is resolved here, once per delivery; in
 * production every address it resolves to must be public, and the connection goes to the address
 * that was checked (undici's `connect.lookup` answers it), so a name that changes its answer in
 * between (DNS rebinding) cannot send the request elsewhere. TLS still verifies the certificate
 * against the name. No redirects are followed; the whole request is bounded by `timeoutMs`.
 */
export function nodeWebhookTransport(opts: { resolve: Resolver; policy: TargetPolicy; timeoutMs: number }): WebhookTransport & { close(): void } {
  // An agent connects only to the one address it was made for, so it is kept per origin and address:
  // a name that resolves elsewhere next time gets an agent of its own, checked like the first.
  const agents = new Map<string, { agent: Agent; idle: ReturnType<typeof setTimeout> }>();
  const drop = (key: string) => {
    const entry = agents.get(key);
    if (!entry) return;
    agents.delete(key);
    clearTimeout(entry.idle);
    entry.agent.destroy().catch(() => {});
  };
  const agentFor = (key: string, pinned: ResolvedAddress) => {
    const entry = agents.get(key);
    const agent = entry?.agent ?? new Agent({ connect: { lookup: pinnedLookup(pinned), timeout: opts.timeoutMs }, headersTimeout: opts.timeoutMs, bodyTimeout: opts.timeoutMs });
    if (entry) {
      clearTimeout(entry.idle);
      agents.delete(key); // set again below: the map stays in order of use
    } else if (agents.size >= MAX_AGENTS) drop(agents.keys().next().value!);
    const idle = setTimeout(() => drop(key), AGENT_IDLE_MS);
    idle.unref();
    agents.set(key, { agent, idle });
    return agent;
  };
  return {
    close: () => [...agents.keys()].forEach(drop),
    async post(url, request): Promise<PostOutcome> {
      const checked = checkTargetUrl(url, opts.policy);
      if ('refusal' in checked) return { error: `refused: ${checked.refusal.message}`, refused: true };
      const host = checked.url.hostname.replace(/^\[|\]$/g, '');
      const deadline = AbortSignal.timeout(opts.timeoutMs);
      let pinned: ResolvedAddress;
      const family = isIP(host);
      if (family) pinned = { address: host, family: family as 4 | 6 };
      else {
        let addresses: ResolvedAddress[];
        try {
          addresses = await within(opts.resolve(host), opts.timeoutMs);
        } catch (err) {
          return describeFailure(err, opts.timeoutMs);
        }
        const refusal = opts.policy.publicOnly ? resolvedRefusal(host, addresses) : addresses.length ? null : resolvedRefusal(host, addresses);
        if (refusal) return { error: `refused: ${refusal.message}`, refused: refusal.code === 'private_target' };
        pinned = addresses[0];
      }
      const key = `${checked.url.origin} ${pinned.address}`;
      try {
        const res = await undiciRequest(checked.url, { method: 'POST', headers: request.headers, body: request.body, dispatcher: agentFor(key, pinned), signal: deadline });
        const excerpt = await readExcerpt(res.body);
        res.body.destroy();
        const location = res.headers.location;
        return { status: res.statusCode, excerpt, location: Array.isArray(location) ? location[0] : location };
      } catch (err) {
        // Whatever state the connection was left in, the next attempt starts afresh.
        drop(key);
        return describeFailure(err, opts.timeoutMs);
      }
    },
  };
}
