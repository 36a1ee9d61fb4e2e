import type { PostOutcome, WebhookTransport } from '../deps';
import { checkTargetUrl, type TargetPolicy } from '../domain/webhook-target';
import { describeFailure, readExcerpt, streamChunks } from './http-common';

/**
 * Outbound webhooks over `fetch` (Workers). Workers cannot resolve names, and Cloudflare does not
 * route to private ranges, so only the URL itself is checked here (IP literals, scheme).
 * Redirects are answers, never followed.
 */
export function fetchWebhookTransport(opts: { fetch: typeof fetch; policy: TargetPolicy; timeoutMs: number }): WebhookTransport {
  return {
    async post(url, request): Promise<PostOutcome> {
      const checked = checkTargetUrl(url, opts.policy);
      if ('refusal' in checked) return { error: `refused: ${checked.refusal.message}`, refused: true };
      try {
        const res = await opts.fetch(checked.url.href, {
          method: 'POST',
          headers: request.headers,
          body: request.body,
          redirect: 'manual',
          signal: AbortSignal.timeout(opts.timeoutMs),
        });
        const excerpt = await readExcerpt(streamChunks(res.body));
        return { status: res.status, excerpt, location: res.headers.get('location') ?? undefined };
      } catch (err) {
        return describeFailure(err, opts.timeoutMs);
      }
    },
  };
}
