import type { SendOutcome } from '../deps';

/** An SES v2 error answer: its HTTP status, its code (from `x-amzn-ErrorType` or the body) and message. */
export type SesError = { status: number; code: string; message: string; retryAfterMs?: number };

/** What one refused SendEmail means: this mail fails for good, or the whole request waits. */
export type SesVerdict = { mail: { error: string; permanent: true } } | { request: Extract<SendOutcome, { ok: false }> };

/** SES is busy or the account is over its rate: wait and send again. */
const THROTTLED = new Set(['TooManyRequestsException', 'ThrottlingException', 'Throttling']);

/**
 * Refusals that no mail of this installation can get past until the operator acts: credentials,
 * the signature or clock, the account's state, and a configuration set the account lacks.
 */
const ACCOUNT = new Set([
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'IncompleteSignatureException',
  'MissingAuthenticationTokenException',
  'ExpiredTokenException',
  'AccessDeniedException',
  'NotAuthorized',
  'OptInRequired',
  'RequestExpired',
  'AccountSuspendedException',
  'SendingPausedException',
  'MailFromDomainNotVerifiedException',
  'LimitExceededException',
  // SendEmail names one resource: SES_CONFIGURATION_SET, when the account has no such set.
  'NotFoundException',
]);

function retryAfterMs(value: string | null): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined;
}

/** Reads an SES error answer (REST-JSON: the code in `x-amzn-ErrorType`, else `__type` or `code` in the body). */
export function readSesError(res: Response, text: string): SesError {
  let body: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object') body = parsed as Record<string, unknown>;
  } catch {
    // A proxy's page or an empty body: the status speaks alone.
  }
  const raw = res.headers.get('x-amzn-errortype') ?? body.__type ?? body.code ?? body.Code ?? '';
  const code = String(raw).split(':')[0].split('#').pop()?.trim() || `HTTP ${res.status}`;
  const message = String(body.message ?? body.Message ?? text.slice(0, 200)).trim();
  return { status: res.status, code, message, retryAfterMs: retryAfterMs(res.headers.get('retry-after')) };
}

/** The identities an "is not verified" rejection names (`... failed the check in region EU-WEST-1: a@x.com, x.com`). */
function unverifiedIdentities(message: string): string[] {
  const m = /failed the check in region [^:]*:\s*(.+)$/i.exec(message);
  return m ? m[1].split(',').map((s) => s.trim().toLowerCase().replace(/\.$/, '')).filter(Boolean) : [];
}

/**
 * Sorts a refused SendEmail. Throttling and 5xx wait and go again (5xx in doubt: SES may have taken
 * the mail). Credentials, the account's state and an unverified sender pause the outbox: every mail
 * would meet the same refusal, so they wait for the operator rather than fail. What concerns this
 * mail alone (its recipient, its content) fails this mail.
 */
export function classifySesError(e: SesError, senderAddress: string): SesVerdict {
  const error = `${e.status} ${e.code}: ${e.message}`.slice(0, 500);
  if (e.status >= 500) return { request: { ok: false, retryable: true, inDoubt: true, error } };
  if (THROTTLED.has(e.code) || e.status === 429) {
    // The daily quota comes back as throttling too, but only time (or AWS) lifts it.
    const paused = /daily message quota/i.test(e.message);
    return { request: { ok: false, retryable: true, inDoubt: false, paused, retryAfterMs: e.retryAfterMs, error } };
  }
  const sender = senderAddress.toLowerCase();
  const senderUnverified = e.code === 'MessageRejected' && unverifiedIdentities(e.message).some((id) => id === sender || id === sender.split('@')[1]);
  if (ACCOUNT.has(e.code) || e.status === 401 || e.status === 403 || senderUnverified) {
    return { request: { ok: false, retryable: true, inDoubt: false, paused: true, retryAfterMs: e.retryAfterMs, error } };
  }
  return { mail: { error, permanent: true } };
}
