import type { MiddlewareHandler } from 'hono';
import { and, eq, isNull } from 'drizzle-orm';
import type { AppEnv } from '../deps';
import { apiKeys, type Scope } from '../db/schema';
import { safeEqual, sha256Hex } from '../domain/ids';
import { ApiError } from '../errors';

export type Principal = { id: string; scopes: Scope[]; lists: string[] | null };

export type RequireKeyOptions = {
  scope: Scope;
  /** Endpoints that span lists (keys, erasure, suppressions) need a key not limited to lists. */
  crossList?: boolean;
  /** Route parameter naming the list the request touches. */
  listParam?: string;
};

/** The principal set by requireKey on this request. */
export const principalOf = (c: { get(key: 'principal'): Principal | undefined }) => c.get('principal')!;

/**
 * Bearer-key auth for one router. Order of the contract: missing or unknown key 401, then wrong
 * scope or list 403; unknown lists (404) are the handler's. `admin` includes every scope;
 * ADMIN_TOKEN is a key with every scope on every list. Keys are looked up by SHA-256, so the
 * database never holds a usable key and lookup time does not depend on how much of a key matches.
 */
export function requireKey(options: RequireKeyOptions): MiddlewareHandler<AppEnv> {
  const opts = { crossList: false, listParam: 'list', ...options };
  return async function requireKeyMiddleware(c, next) {
    const deps = c.get('deps');
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S{1,200})$/i.exec(header);
    if (!match) throw new ApiError('unauthorized', 'Send a key as "Authorization: Bearer <key>".', { headers: { 'WWW-Authenticate': 'Bearer' } });
    const presented = match[1];
    let principal: Principal | undefined;
    const admin = deps.config.ADMIN_TOKEN;
    if (admin && safeEqual(presented, admin)) {
      principal = { id: 'ADMIN_TOKEN', scopes: ['admin'], lists: null };
    } else {
      const row = await deps.db
        .select({ id: apiKeys.id, scopes: apiKeys.scopes, lists: apiKeys.lists, lastUsedAt: apiKeys.lastUsedAt })
        .from(apiKeys)
        .where(and(eq(apiKeys.hash, await sha256Hex(presented)), isNull(apiKeys.revokedAt)))
        .get();
      if (row) {
        principal = { id: row.id, scopes: row.scopes, lists: row.lists ?? null };
        // Operators see when a key was last used (to spot dead ones); at most one write a minute per key.
        const now = deps.clock.now();
        if (row.lastUsedAt === null || row.lastUsedAt <= now - 60_000) {
          await deps.db.update(apiKeys).set({ lastUsedAt: now }).where(eq(apiKeys.id, row.id));
        }
      }
    }
    if (!principal) throw new ApiError('unauthorized', 'The key is unknown or revoked.', { headers: { 'WWW-Authenticate': 'Bearer' } });
    if (!principal.scopes.includes('admin') && !principal.scopes.includes(opts.scope)) {
      throw new ApiError('forbidden', `The key lacks the "${opts.scope}" scope.`);
    }
    if (principal.lists) {
      if (opts.crossList) throw new ApiError('forbidden', 'This endpoint spans lists and needs a key that is not limited to lists.');
      const slug = c.req.param(opts.listParam);
      if (slug !== undefined && !principal.lists.includes(slug)) throw new ApiError('forbidden', 'The key is not allowed on this list.');
    }
    c.set('principal', principal);
    await next();
  };
}
