import type { Deps, Principal } from '../deps';
import { audit } from '../db/queries/audit';
import { unknownLists } from '../db/queries/keys';
import { feedHead } from '../db/queries/push';
import { allWebhooks, attemptsOf, deleteWebhook, enableConsumer, findWebhook, insertWebhook, rewindConsumer, type WebhookRow } from '../db/queries/webhooks';
import { randomToken } from '../domain/ids';
import { isoTime } from '../domain/time';
import { changeTypeOf, WEBHOOK_EVENTS, type WebhookEvent } from '../domain/webhook-payload';
import { checkTargetUrl, isIpAddress, resolvedRefusal, targetPolicy, type TargetRefusal } from '../domain/webhook-target';
import { ApiError, invalidInput } from '../errors';

type Ports = Pick<Deps, 'db' | 'atomic' | 'clock' | 'config' | 'resolveHost'>;

/** How long creation waits for the resolver before accepting a name unchecked (delivery checks it again). */
const RESOLVE_TIMEOUT_MS = 5000;

export type NewWebhook = { url: string; events: WebhookEvent[]; lists: string[] | null };

/**
 * The key may act on this webhook: a key on every list may act on any; a key limited to lists only
 * on webhooks limited to some of those lists (a webhook without `lists` spans every list).
 */
function mayTouch(principal: Pick<Principal, 'lists'>, lists: string[] | null): boolean {
  return principal.lists === null || (lists !== null && lists.every((l) => principal.lists!.includes(l)));
}

/** A webhook the key may act on, or 404 (unknown) / 403 (other lists). */
export async function webhookFor(deps: Pick<Deps, 'db'>, principal: Pick<Principal, 'lists'>, id: string): Promise<WebhookRow> {
  const row = await findWebhook(deps.db, id);
  if (!row) throw new ApiError('not_found', 'No webhook has this id.');
  if (!mayTouch(principal, row.lists)) throw new ApiError('forbidden', "The key is not allowed on this webhook's lists.");
  return row;
}

/**
 * Why a target may not receive webhooks (422 at creation): the URL by itself, then, on Node in
 * production, what its name resolves to. A name that does not resolve now is accepted: it is
 * resolved and checked again at every delivery.
 */
async function targetProblem(deps: Ports, text: string): Promise<{ url: URL } | { refusal: TargetRefusal }> {
  const policy = targetPolicy(deps.config);
  const checked = checkTargetUrl(text, policy);
  if ('refusal' in checked || !policy.publicOnly || !deps.resolveHost || isIpAddress(checked.url.hostname)) return checked;
  const host = checked.url.hostname;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const addresses = await Promise.race([
    deps.resolveHost(host).catch(() => null),
    new Promise<null>((r) => (timer = setTimeout(() => r(null), RESOLVE_TIMEOUT_MS))),
  ]).finally(() => clearTimeout(timer));
  const refusal = addresses?.length ? resolvedRefusal(host, addresses) : null;
  return refusal ? { refusal } : checked;
}

/**
 * Creates a webhook and answers it with its signing secret, which exists in clear only in this
 * answer and in the row that signs deliveries. A key limited to lists must name lists, all its own.
 */
export async function createWebhook(deps: Ports, principal: Principal, input: NewWebhook): Promise<{ row: WebhookRow; secret: string }> {
  const lists = input.lists ? [...new Set(input.lists)] : null;
  if (principal.lists && !lists) throw new ApiError('forbidden', 'A webhook without "lists" spans every list and needs a key that is not limited to lists.');
  if (!mayTouch(principal, lists)) throw new ApiError('forbidden', 'The key is not allowed on every list named.');
  const missing = await unknownLists(deps.db, lists ?? []);
  if (missing.length) throw invalidInput(missing.map((slug) => ({ field: 'lists', code: 'unknown_list', message: `no list "${slug}"` })));
  const target = await targetProblem(deps, input.url);
  if ('refusal' in target) throw invalidInput([{ field: 'url', code: target.refusal.code, message: target.refusal.message }]);
  const id = `wh_${randomToken(12)}`;
  const secret = `whsec_${btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))))}`;
  const now = deps.clock.now();
  const types = [...new Set(input.events.map(changeTypeOf))];
  await insertWebhook(deps.atomic, { id, url: target.url.href, secret, types, lists, createdBy: principal.id, now });
  await audit(deps.db, { actor: principal.id, action: 'webhook.create', target: id, detail: { events: input.events, lists }, at: now });
  return { row: (await findWebhook(deps.db, id))!, secret };
}

/** The webhooks a key may see (a key limited to lists: those within its lists). */
export async function listWebhooks(deps: Pick<Deps, 'db'>, principal: Pick<Principal, 'lists'>): Promise<WebhookRow[]> {
  return (await allWebhooks(deps.db)).filter((w) => mayTouch(principal, w.lists));
}

export async function removeWebhook(deps: Pick<Deps, 'db' | 'clock'>, principal: Principal, id: string): Promise<void> {
  await webhookFor(deps, principal, id);
  await deleteWebhook(deps.db, id);
  await audit(deps.db, { actor: principal.id, action: 'webhook.delete', target: id, at: deps.clock.now() });
}

/**
 * Sends the events after feed position `after` again, with new message ids (a receiver that kept
 * the old ids must not skip them). `after` past the end of the feed is 422.
 */
export async function replayWebhook(deps: Ports, principal: Principal, id: string, after: number): Promise<WebhookRow> {
  await webhookFor(deps, principal, id);
  const head = await feedHead(deps.db);
  if (after > head) throw invalidInput([{ field: 'after', code: 'too_big', message: `the feed ends at ${head}` }]);
  await rewindConsumer(deps.atomic, id, after);
  await audit(deps.db, { actor: principal.id, action: 'webhook.replay', target: id, detail: { after }, at: deps.clock.now() });
  return (await findWebhook(deps.db, id))!;
}

/** Enables a webhook that was disabled: what waited is sent at once, new events flow again. */
export async function enableWebhook(deps: Ports, principal: Principal, id: string): Promise<WebhookRow> {
  await webhookFor(deps, principal, id);
  await enableConsumer(deps.atomic, id, deps.clock.now());
  await audit(deps.db, { actor: principal.id, action: 'webhook.enable', target: id, at: deps.clock.now() });
  return (await findWebhook(deps.db, id))!;
}

/** Recent attempts, newest first; `cursor` is the `next_cursor` of the page before. */
export async function webhookAttempts(deps: Pick<Deps, 'db'>, principal: Pick<Principal, 'lists'>, id: string, limit: number, cursor?: number) {
  await webhookFor(deps, principal, id);
  const rows = await attemptsOf(deps.db, id, limit + 1, cursor);
  const page = rows.slice(0, limit);
  return {
    data: page.map((a) => ({
      message_id: a.messageId,
      event: WEBHOOK_EVENTS[a.type],
      seq: a.seq,
      attempt: a.attempt,
      at: isoTime(a.at),
      duration_ms: a.durationMs,
      status: a.status,
      error: a.error,
      response: a.excerpt,
      outcome: a.outcome,
    })),
    next_cursor: rows.length > limit ? String(page[page.length - 1].id) : null,
  };
}

/** `active`, `failing` (attempts fail since `failing_since`) or `disabled` (nothing is sent until enabled). */
export const webhookStatus = (w: Pick<WebhookRow, 'disabledAt' | 'failingSince'>): 'active' | 'failing' | 'disabled' =>
  w.disabledAt !== null ? 'disabled' : w.failingSince !== null ? 'failing' : 'active';

/** A webhook as the API shows it: never its secret. */
export function webhookView(w: WebhookRow) {
  return {
    id: w.id,
    url: w.url,
    events: w.types.map((t) => WEBHOOK_EVENTS[t]),
    lists: w.lists ?? null,
    status: webhookStatus(w),
    created_at: isoTime(w.createdAt),
    position: w.cursor,
    pending: w.pending,
    last_success_at: isoTime(w.lastSuccessAt),
    last_failure_at: isoTime(w.lastFailureAt),
    failing_since: isoTime(w.failingSince),
    disabled_at: isoTime(w.disabledAt),
    disabled_reason: w.disabledReason,
  };
}
