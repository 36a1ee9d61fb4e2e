import type { Resend } from 'resend';
import type { Deps } from '../deps';
import type { List } from '../db/types';
import { confirmedPage, rememberContact, subscriptionsByKeys } from '../db/queries/resend-sync';
import { addressOnRecord } from '../domain/address';
import { applyOperation, type Call, type Destination } from '../push/resend-sync';
import { ApiError } from '../errors';
import { syncOf } from './resend-sync';

/** Why an address differs between the list and its Resend segment, and what `apply` does about it. */
export type DriftIssue =
  /** Confirmed here, no contact in the segment: upsert. */
  | 'missing_there'
  /** Confirmed here, in the segment but opted out of the topic or unsubscribed contact-wide: upsert. */
  | 'opted_out_there'
  /** Opted in to the topic there, not confirmed here (or not on the list at all): opt the topic out. */
  | 'not_confirmed_here';
export type DriftItem = { email: string; issue: DriftIssue; here: string | null };
export type DriftReport = { list: string; segment_id: string; topic_id: string; confirmed_here: number; contacts_there: number; drift: DriftItem[]; fixed: number };

type Answer = Awaited<ReturnType<Call>>;
const PAGE = 100;

/**
 * Compares a synced list with its Resend segment and topic: every contact of the segment (paged)
 * and the topic subscription of each contact concerned (one call each, so a big list takes a while:
 * every call is paced like the sync's). With `apply`, each difference is fixed through the sync's
 * own operations. Resend calls go through `call` (paced; null means no turn was given).
 */
export async function syncDrift(deps: Pick<Deps, 'db' | 'clock'>, client: Resend, call: Call, list: List, opts: { apply: boolean }): Promise<DriftReport> {
  const sync = await syncOf(deps, list);
  const to: Destination = { segmentId: sync.segmentId, topicId: sync.topicId };
  const must = async (request: () => Promise<NonNullable<Answer>>) => {
    const a = await call(request);
    if (!a) throw new ApiError('unavailable', 'Confirmation mail kept the provider busy; try again later.');
    if (a.error) throw new ApiError('unavailable', `Resend answered ${a.error.statusCode ?? 'nothing'}: ${a.error.name}: ${a.error.message}`.slice(0, 300));
    return a.data;
  };

  // Resend's side: the segment's contacts by comparison key.
  const there = new Map<string, { email: string; unsubscribed: boolean }>();
  for (let after: string | undefined, more = true; more; ) {
    const page = (await must(() => client.contacts.list({ segmentId: to.segmentId, limit: PAGE, ...(after ? { after } : {}) }) as never)) as { data: Array<{ id: string; email: string; unsubscribed: boolean }>; has_more: boolean };
    for (const c of page.data) there.set(addressOnRecord(c.email)?.key ?? c.email.toLowerCase(), { email: c.email, unsubscribed: c.unsubscribed });
    more = page.has_more && page.data.length > 0;
    after = page.data.at(-1)?.id;
  }
  const optedIn = async (email: string) => {
    const topics = (await must(() => client.contacts.topics.list({ email, limit: PAGE }) as never)) as { data: Array<{ id: string; subscription: string }> };
    return topics.data.some((t) => t.id === to.topicId && t.subscription === 'opt_in');
  };

  const drift: Array<DriftItem & { name?: string | null; publicId?: string }> = [];
  let confirmedHere = 0;
  const seen = new Set<string>();
  for (let afterId = 0, more = true; more; ) {
    const rows = await confirmedPage(deps.db, list.id, afterId, 500);
    more = rows.length === 500;
    afterId = rows.at(-1)?.id ?? afterId;
    for (const s of rows) {
      confirmedHere++;
      seen.add(s.key);
      const c = there.get(s.key);
      const issue: DriftIssue | null = !c ? 'missing_there' : c.unsubscribed || !(await optedIn(c.email)) ? 'opted_out_there' : null;
      if (issue) drift.push({ email: s.email, issue, here: 'confirmed', name: s.name, publicId: s.publicId });
    }
  }
  const others = [...there.entries()].filter(([key]) => !seen.has(key));
  const states = new Map((await subscriptionsByKeys(deps.db, list.id, others.map(([key]) => key))).map((s) => [s.key, s.state]));
  for (const [key, c] of others) {
    if (!c.unsubscribed && (await optedIn(c.email))) drift.push({ email: c.email, issue: 'not_confirmed_here', here: states.get(key) ?? null });
  }

  let fixed = 0;
  if (opts.apply) {
    for (const d of drift) {
      const op = d.issue === 'not_confirmed_here' ? ({ kind: 'opt_out', email: d.email } as const) : ({ kind: 'upsert', email: d.email, name: d.name ?? null, publicId: d.publicId ?? '' } as const);
      const contactId = await applyOperation(client, call, to, op).catch((err: Error) => {
        throw new ApiError('unavailable', `fixing ${d.email} failed: ${err.message}`.slice(0, 300));
      });
      if (contactId && d.publicId) await rememberContact(deps.db, d.publicId, contactId, deps.clock.now());
      fixed++;
    }
  }
  return {
    list: list.slug,
    segment_id: to.segmentId,
    topic_id: to.topicId,
    confirmed_here: confirmedHere,
    contacts_there: there.size,
    drift: drift.map(({ email, issue, here }) => ({ email, issue, here })),
    fixed,
  };
}
