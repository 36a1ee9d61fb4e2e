import type { Deps } from '../deps';
import type { List } from '../db/types';
import { findSignupTarget, writeSignup } from '../db/queries/subscriptions';
import { type ParsedAddress, parseAddress } from '../domain/address';
import { isDisposableDomain } from '../domain/disposable';
import { randomTokens, timeOrderedTokens } from '../domain/ids';
import { funnelProviderOf } from '../domain/funnel';
import { providerOf } from '../domain/providers';
import { nameProblem, startsLikeFormula } from '../domain/spreadsheet';
import { ApiError, invalidInput } from '../errors';
import { mailboxHashes } from './mailbox';

/** A signup as it arrived, already read from the request (JSON, form or multipart). */
export type SignupRequest = {
  email: unknown;
  name: string | null;
  /** The page the form sits on (a `source` field, else Referer or Origin). */
  source: string | null;
  captcha: string | undefined;
  ip: string;
  userAgent: string | null;
};

/**
 * Signs an address up to a list: checks the address and the list's policies, then writes the same
 * statements whatever the address's state (decide first, then write). The answer never depends on
 * the state; the confirmation mail goes out only where the rules allow (src/db/queries/subscriptions.ts).
 * Answers the address's domain (the answer's inbox link depends on it).
 */
export async function signUp(deps: Deps, list: List, request: SignupRequest): Promise<{ domain: string }> {
  const { config } = deps;
  const address = acceptableAddress(request.email);
  const nameIssue = request.name === null ? null : nameProblem(request.name);
  if (nameIssue) throw invalidInput([{ field: 'name', code: 'invalid', message: nameIssue }]);
  await checkAddressPolicy(deps, list, address);
  await verifyCaptcha(deps, list, request.captcha, request.ip);
  // The list-wide ceiling against floods counts only valid signups, and never refuses one: over it,
  // confirmation mail waits its turn (the per-client limit before this is what answers 429).
  const { delayMs } = await deps.rateLimiter.reserve(`signup-list:${list.id}`, { burst: config.RATE_LIMIT_LIST_PER_MINUTE, perMinute: config.RATE_LIMIT_LIST_PER_MINUTE });

  const now = deps.clock.now();
  const target = await findSignupTarget(deps.db, list.id, address.key);
  const [freshSignupId, unsubToken, publicId] = timeOrderedTokens(now, 18, 24, 12);
  const [mailNonce] = randomTokens(12);
  const { mailboxHash, legacyHash } = await mailboxHashes(deps, address.key);
  // The mail itself (and its tokens) is made when it is sent (src/mail/compose.ts): here only what to send.
  await writeSignup(deps.atomic, {
    listId: list.id,
    email: address.email,
    key: address.key,
    name: request.name,
    mailboxHash,
    legacyHash,
    publicId: `sub_${publicId}`,
    provider: funnelProviderOf(providerOf(address.domain)?.id),
    consentHash: list.consentHash,
    now,
    expiresAt: now + config.CONFIRM_TTL_HOURS * 3_600_000,
    freshSignupId,
    mailSignupId: target?.state === 'pending' ? target.signupId : freshSignupId,
    unsubToken: `u_${unsubToken}`,
    mailNonce,
    skipCooldown: target?.state === 'unsubscribed',
    mailAt: now + delayMs,
    ip: request.ip,
    userAgent: request.userAgent,
    source: request.source,
  });
  deps.outbox.wake();
  return { domain: address.domain };
}

/**
 * The address as a signup (or import) may store it: valid, not a likely typo (422 with the
 * corrected address as `suggestion`), and not starting like a spreadsheet formula.
 */
export function acceptableAddress(input: unknown): ParsedAddress {
  const address = parseAddress(input);
  if (!address.ok) {
    throw invalidInput([{ field: 'email', code: address.code, message: address.message }], address.suggestion ? { suggestion: address.suggestion } : {});
  }
  if (startsLikeFormula(address.email)) throw invalidInput([{ field: 'email', code: 'invalid', message: 'An address may not begin with =, +, - or @.' }]);
  return address;
}

/** Opt-in address checks: disposable domains and (where DNS is available) a definite "no mail server". */
async function checkAddressPolicy(deps: Deps, list: List, address: ParsedAddress): Promise<void> {
  if (list.blockDisposable && isDisposableDomain(address.domain)) {
    throw invalidInput([{ field: 'email', code: 'disposable', message: 'Addresses from disposable mail services are not accepted.' }]);
  }
  if ((list.checkMx || deps.config.CHECK_MX) && deps.mx) {
    // Only a definite answer rejects; a DNS failure never costs a real person their signup.
    if ((await deps.mx(address.domain)) === 'none') {
      throw invalidInput([{ field: 'email', code: 'no_mail_server', message: 'This domain does not receive mail.' }]);
    }
  }
}

/** Cloudflare Turnstile, when the list has a secret. An unreachable verifier refuses the signup. */
async function verifyCaptcha(deps: Deps, list: List, response: string | undefined, ip: string): Promise<void> {
  if (!list.turnstileSecret) return;
  if (!response) {
    throw invalidInput([{ field: 'cf-turnstile-response', code: 'required', message: 'Complete the challenge and try again.' }]);
  }
  let result: { success?: boolean };
  try {
    const res = await deps.fetch(deps.config.TURNSTILE_VERIFY_URL, {
      method: 'POST',
      body: new URLSearchParams({ secret: list.turnstileSecret, response, remoteip: ip }),
      signal: AbortSignal.timeout(deps.config.TURNSTILE_TIMEOUT_MS),
    });
    if (!res.ok) throw new Error(`verifier answered ${res.status}`);
    result = (await res.json()) as { success?: boolean };
    if (typeof result !== 'object' || result === null) throw new Error('verifier answered no object');
  } catch (err) {
    deps.logger.warn('turnstile verifier unreachable', { list: list.slug, error: (err as Error).message });
    throw new ApiError('unavailable', 'The challenge could not be checked right now. Try again in a moment.', { headers: { 'Retry-After': '30' } });
  }
  if (result.success !== true) {
    throw invalidInput([{ field: 'cf-turnstile-response', code: 'captcha_failed', message: 'The challenge was not passed. Try again.' }]);
  }
}
