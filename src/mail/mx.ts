import { Resolver } from 'node:dns/promises';
import { boundedCache } from '../domain/bounded-cache';

/**
 * MX check for opt-in address validation, cached for an hour (at most `maxEntries` domains: signups
 * choose the domains). Only NXDOMAIN, or no MX and no A/AAAA, count as "none"; timeouts and server
 * failures are "unknown" and never reject.
 */
export function nodeMxLookup(opts: { servers?: string[]; ttlMs?: number; timeoutMs?: number; maxEntries?: number } = {}) {
  const resolver = new Resolver({ timeout: opts.timeoutMs ?? 2000, tries: 2 });
  if (opts.servers) resolver.setServers(opts.servers);
  const cache = boundedCache<'ok' | 'none'>(opts.maxEntries ?? 10_000, opts.ttlMs ?? 3600_000);
  const definiteNo = (err: unknown) => ['ENOTFOUND', 'ENODATA'].includes((err as { code?: string }).code ?? '');

  async function has(lookup: () => Promise<unknown[]>): Promise<boolean | null> {
    try {
      return (await lookup()).length > 0;
    } catch (err) {
      return definiteNo(err) ? false : null;
    }
  }

  return async (domain: string): Promise<'ok' | 'none' | 'unknown'> => {
    const hit = cache.get(domain);
    if (hit) return hit;
    const mx = await has(() => resolver.resolveMx(domain));
    let result: 'ok' | 'none' | 'unknown' = mx ? 'ok' : mx === null ? 'unknown' : 'none';
    if (result === 'none') {
      const [a, aaaa] = await Promise.all([has(() => resolver.resolve4(domain)), has(() => resolver.resolve6(domain))]);
      result = a || aaaa ? 'ok' : a === null || aaaa === null ? 'unknown' : 'none';
    }
    if (result !== 'unknown') cache.set(domain, result);
    return result;
  };
}
