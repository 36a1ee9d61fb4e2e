import type { MiddlewareHandler } from 'hono';
import type { AppEnv, Principal } from '../deps';
import type { Scope } from '../db/types';
import { bearerKey } from '../domain/bearer';
import { ApiError } from '../errors';
import { authenticate } from '../services/keys';

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
 * Bearer-key auth for one route or router. Order of the contract: missing or unknown key 401, then
 * wrong scope or list 403; unknown lists (404) are the handler's. `admin` includes every scope.
 */
export function requireKey(options: RequireKeyOptions): MiddlewareHandler<AppEnv> {
  const opts = { crossList: false, listParam: 'list', ...options };
  return async function requireKeyMiddleware(c, next) {
    const key = bearerKey(c.req.header('authorization'));
    if (!key) throw new ApiError('unauthorized', 'Send a key as "Authorization: Bearer <key>".', { headers: { 'WWW-Authenticate': 'Bearer' } });
    const principal = await authenticate(c.get('deps'), key);
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
