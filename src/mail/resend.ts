import { Resend } from 'resend';
import type { Mailer, SendOutcome } from '../deps';
import type { OutboxMessage } from '../db/schema';

/** Errors that no retry will fix: the mail is marked failed and shows in stats and logs. */
const PERMANENT = new Set(['validation_error', 'invalid_from_address', 'invalid_to_address', 'invalid_parameter', 'missing_required_field', 'invalid_idempotent_request', 'invalid_idempotency_key']);

function retryAfterMs(headers: Record<string, string> | null): number | undefined {
  const value = headers?.['retry-after'];
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined;
}

/** Auth problems are the operator's to fix; the mail waits (up to the outbox limits) rather than being lost. */
const CONFIGURATION = new Set(['missing_api_key', 'invalid_api_key', 'restricted_api_key']);

/**
 * Resend through the official SDK: one `batch.send` of up to 100 mails per request, permissive
 * validation so one bad address does not sink the rest, and the caller's idempotency key so a
 * retried batch is delivered once. The SDK never throws or retries: we read `error` and `headers`.
 * A request that gets no answer within `timeoutMs` counts as a network error (in doubt).
 */
export function resendMailer(opts: { apiKey: string; baseUrl?: string; timeoutMs?: number }): Mailer {
  const client = new Resend(opts.apiKey, opts.baseUrl ? { baseUrl: opts.baseUrl.replace(/\/+$/, '') } : undefined);
  const timeoutMs = opts.timeoutMs ?? 30_000;
  return {
    name: 'resend',
    maxBatch: 100,
    async send(messages: OutboxMessage[], { idempotencyKey }): Promise<SendOutcome> {
      const { data, error, headers } = await client.batch.send(
        messages.map((m) => ({ from: m.from, to: [m.to], ...(m.replyTo ? { replyTo: m.replyTo } : {}), subject: m.subject, html: m.html, text: m.text, headers: m.headers })),
        { idempotencyKey, batchValidation: 'permissive', signal: AbortSignal.timeout(timeoutMs) },
      );
      if (error) {
        const status = error.statusCode;
        // No answer or a server error: the provider may have accepted the batch before failing.
        const inDoubt = status === null || status >= 500;
        const retryable =
          inDoubt || status === 429 || CONFIGURATION.has(error.name) || (status === 409 && error.name === 'concurrent_idempotent_requests');
        return {
          ok: false,
          retryable: retryable && !PERMANENT.has(error.name),
          inDoubt,
          retryAfterMs: retryAfterMs(headers),
          error: `${status ?? 'network'} ${error.name}: ${error.message}`.slice(0, 500),
        };
      }
      const failed = new Map<number, string>();
      for (const e of (data as { errors?: { index: number; message: string }[] }).errors ?? []) failed.set(e.index, e.message);
      // Resend lists ids for accepted mails in order, skipping the rejected indexes.
      const ids = [...data.data];
      const results = messages.map((_, i) =>
        failed.has(i) ? { error: failed.get(i)!.slice(0, 500), permanent: true as const } : { id: ids.shift()?.id ?? 'unknown' },
      );
      return { ok: true, results };
    },
  };
}
