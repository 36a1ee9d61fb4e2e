import type { Deps } from '../deps';
import { confirmSignup } from '../db/queries/subscriptions';
import type { TokenClaims, TokenPurpose } from '../domain/tokens';
import { ApiError } from '../errors';

/**
 * The claims of a link's token of `purpose`, or the contract's errors: 400 for a malformed or
 * forged token, 410 for an expired one.
 */
export async function verifyLink(deps: Pick<Deps, 'tokens'>, token: unknown, purpose: TokenPurpose): Promise<TokenClaims> {
  const result = await deps.tokens.verify(typeof token === 'string' ? token : '', purpose);
  if (result.ok) return result.claims;
  if (result.reason === 'expired') throw new ApiError('gone', 'This link has expired. Sign up again to get a new one.');
  throw new ApiError('invalid_token', 'This link is not valid.');
}

/**
 * Confirms the signup a token names, keeping the click's evidence. A repeat answers success again
 * and changes nothing; a signup that was superseded, unsubscribed or suppressed answers 410.
 * Answers the list the subscription is on.
 */
export async function confirm(deps: Deps, token: unknown, evidence: { ip: string; userAgent: string | null }): Promise<{ listId: number; list: string }> {
  const claims = await verifyLink(deps, token, 'confirm');
  const result = await confirmSignup(deps, claims.signup!, { now: deps.clock.now(), ...evidence });
  if (result.outcome === 'gone' || result.listId === undefined) throw new ApiError('gone', 'This signup is no longer active. Sign up again to subscribe.');
  return { listId: result.listId, list: claims.list };
}
