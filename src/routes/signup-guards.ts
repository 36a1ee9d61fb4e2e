import type { Deps } from '../deps';
import type { List } from '../db/queries/lists';
import type { ParsedAddress } from '../domain/address';
import { isDisposableDomain } from '../domain/disposable';
import { ApiError, invalidInput } from '../errors';

/** Opt-in address checks: disposable domains and (where DNS is available) a definite "no mail server". */
export async function checkAddressPolicy(deps: Deps, list: List, address: ParsedAddress): Promise<void> {
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
export async function verifyCaptcha(deps: Deps, list: List, response: string | undefined, ip: string): Promise<void> {
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
