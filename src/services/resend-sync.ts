import type { Deps } from '../deps';
import type { List } from '../db/types';
import { audit } from '../db/queries/audit';
import { feedHead } from '../db/queries/push';
import { allSyncs, deleteSync, findSync, putSync, type SyncRow } from '../db/queries/resend-sync';
import { stateOn, unsubscribe } from '../db/queries/subscriptions';
import { addressOnRecord } from '../domain/address';
import { randomToken } from '../domain/ids';
import { FROM_RESEND_CONTACT, FROM_RESEND_TOPIC } from '../domain/resend-sync';
import type { ResendContactEvent } from '../domain/resend-webhook';
import { isoTime } from '../domain/time';
import { ApiError } from '../errors';

type Ports = Pick<Deps, 'db' | 'atomic' | 'clock' | 'config'>;
export type SyncDestination = { segment_id: string; topic_id: string };

/** The list's sync, or 404. */
export async function syncOf(deps: Pick<Deps, 'db'>, list: List): Promise<SyncRow> {
  const row = await findSync(deps.db, list.id);
  if (!row) throw new ApiError('not_found', 'This list is not synced to Resend.');
  return row;
}

/**
 * Syncs a list to a Resend segment and topic (or points it at another pair). The list's history
 * is the backlog: every subscription's current state is written there, paced. The same
 * destination again changes nothing. Needs RESEND_API_KEY (503 otherwise: nothing could be sent).
 */
export async function putListSync(deps: Ports, list: List, to: SyncDestination, actor: string): Promise<{ row: SyncRow; created: boolean }> {
  if (!deps.config.RESEND_API_KEY) throw new ApiError('unavailable', 'Resend contact sync needs RESEND_API_KEY.');
  const existing = await findSync(deps.db, list.id);
  if (existing?.segmentId === to.segment_id && existing.topicId === to.topic_id) return { row: existing, created: false };
  const now = deps.clock.now();
  await putSync(deps.atomic, { id: existing?.id ?? `rs_${randomToken(12)}`, listId: list.id, slug: list.slug, segmentId: to.segment_id, topicId: to.topic_id, createdBy: actor, now });
  await audit(deps.db, { actor, action: existing ? 'sync.replace' : 'sync.create', target: list.slug, detail: to, at: now });
  return { row: (await findSync(deps.db, list.id))!, created: !existing };
}

/** Stops syncing a list; the contacts in Resend stay as they are. */
export async function removeListSync(deps: Pick<Deps, 'db' | 'clock'>, list: List, actor: string): Promise<void> {
  const row = await syncOf(deps, list);
  await deleteSync(deps.db, row.id);
  await audit(deps.db, { actor, action: 'sync.delete', target: list.slug, at: deps.clock.now() });
}

/**
 * Applies Resend's word about a contact: a topic opted out unsubscribes the lists synced to that
 * topic; the contact-wide `unsubscribed` unsubscribes every synced list. Through the same
 * unsubscribe as every other (counters, feed, webhooks); repeating it changes nothing. Answers
 * how many subscriptions changed.
 */
export async function applyContactEvent(deps: Pick<Deps, 'db' | 'atomic' | 'clock'>, e: ResendContactEvent): Promise<number> {
  const address = addressOnRecord(e.email);
  if (!address) return 0;
  const syncs = await allSyncs(deps.db);
  const now = deps.clock.now();
  let changed = 0;
  for (const s of syncs) {
    const source = e.unsubscribed ? FROM_RESEND_CONTACT : e.optedOut.includes(s.topicId) ? FROM_RESEND_TOPIC : null;
    // A topic a pending signup has not opted in to yet is opted out by default: only a confirmed one withdraws.
    if (source === FROM_RESEND_TOPIC && (await stateOn(deps.db, s.listId, address.key)) !== 'confirmed') continue;
    if (source) changed += (await unsubscribe(deps, { key: address.key, listId: s.listId }, now, source)).length;
  }
  return changed;
}

/** `active`, `failing` (calls fail since `failing_since`) or `disabled`, as webhooks. */
const statusOf = (s: SyncRow): 'active' | 'failing' | 'disabled' => (s.disabledAt !== null ? 'disabled' : s.failingSince !== null ? 'failing' : 'active');

/** A sync as the API shows it: destination, health and the backlog's progress. */
export async function syncView(deps: Pick<Deps, 'db'>, s: SyncRow) {
  return {
    list: s.list,
    provider: 'resend' as const,
    segment_id: s.segmentId,
    topic_id: s.topicId,
    status: statusOf(s),
    position: s.cursor,
    feed_head: await feedHead(deps.db),
    pending: s.pending,
    synced: s.synced,
    failed: s.failed,
    created_at: isoTime(s.createdAt),
    last_success_at: isoTime(s.lastSuccessAt),
    last_failure_at: isoTime(s.lastFailureAt),
    failing_since: isoTime(s.failingSince),
    disabled_at: isoTime(s.disabledAt),
    disabled_reason: s.disabledReason,
  };
}
