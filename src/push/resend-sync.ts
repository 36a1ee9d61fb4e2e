import { Resend } from 'resend';
import type { Config } from '../config';
import { forgetContact, mailIsDue, rememberContact, syncSubject, syncTarget } from '../db/queries/resend-sync';
import { syncOperation, type SyncOperation } from '../domain/resend-sync';
import type { PushPorts, PushSender, SendResult } from './dispatch';
import { syncPacer, type SyncPacer } from './sync-pacer';

/** A Resend client for the contact sync, or null when no RESEND_API_KEY is set. */
export function resendSyncClient(config: Pick<Config, 'RESEND_API_KEY' | 'RESEND_BASE_URL'>): Resend | null {
  if (!config.RESEND_API_KEY) return null;
  return new Resend(config.RESEND_API_KEY, config.RESEND_BASE_URL ? { baseUrl: config.RESEND_BASE_URL.replace(/\/+$/, '') } : undefined);
}

type Answer = { data: unknown; error: { statusCode: number | null; name: string; message: string } | null; headers: Record<string, string> | null };
export type Destination = { segmentId: string; topicId: string };
/** One paced Resend call: its answer, or null when the pacer ran out of time first. */
export type Call = (request: () => Promise<Answer>) => Promise<Answer | null>;

class Deferred extends Error {}
class Refused extends Error {
  constructor(readonly answer: Answer) {
    super(`${answer.error?.statusCode ?? 'network'} ${answer.error?.name}: ${answer.error?.message}`.slice(0, 500));
  }
}

const missing = (a: Answer) => a.error?.statusCode === 404;
/** Creating a contact whose address exists already (409; some API versions say 422). */
const exists = (a: Answer) => a.error?.statusCode === 409 || (a.error?.statusCode === 422 && /exist/i.test(a.error.message));

/**
 * Applies one operation through the official SDK (every call paced), answering the contact id it
 * wrote, if any. A missing contact is nothing to opt out, unsubscribe or delete. An upsert tries
 * `contacts.create` with the segment and topic first (one call for a new address); an address
 * that exists is updated, added to the segment and opted in (three calls).
 */
export async function applyOperation(client: Resend, call: Call, to: Destination, op: SyncOperation): Promise<string | null> {
  const run = async (request: () => Promise<Answer>, tolerate: (a: Answer) => boolean = () => false) => {
    const a = await call(request);
    if (!a) throw new Deferred();
    if (a.error && !tolerate(a)) throw new Refused(a);
    return a;
  };
  const topic = (subscription: 'opt_in' | 'opt_out') => [{ id: to.topicId, subscription }];
  switch (op.kind) {
    case 'none':
      return null;
    case 'opt_out':
      await run(() => client.contacts.topics.update({ email: op.email, topics: topic('opt_out') }) as Promise<Answer>, missing);
      return null;
    case 'unsubscribe_contact':
      await run(() => client.contacts.update({ email: op.email, unsubscribed: true }) as Promise<Answer>, missing);
      return null;
    case 'delete':
      await run(() => client.contacts.remove(op.contactId) as Promise<Answer>, missing);
      return null;
    case 'upsert': {
      const created = await run(
        () =>
          client.contacts.create({ email: op.email, ...(op.name ? { firstName: op.name } : {}), unsubscribed: false, segments: [{ id: to.segmentId }], topics: topic('opt_in') }) as Promise<Answer>,
        exists,
      );
      if (!created.error) return (created.data as { id: string }).id;
      const updated = await run(() => client.contacts.update({ email: op.email, unsubscribed: false }) as Promise<Answer>);
      await run(() => client.contacts.segments.add({ email: op.email, segmentId: to.segmentId }) as Promise<Answer>);
      await run(() => client.contacts.topics.update({ email: op.email, topics: topic('opt_in') }) as Promise<Answer>);
      return (updated.data as { id: string }).id;
    }
  }
}

function retryAfterMs(headers: Record<string, string> | null): number {
  const seconds = Number(headers?.['retry-after']);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 1000;
}

/**
 * A paced caller: each call waits for its turn (confirmation mail first), and a 429 holds every
 * later call back for its `retry-after`. `mailFirst` is false when mail goes through another provider.
 */
export function pacedCall(ports: Pick<PushPorts, 'db' | 'clock'>, pacer: SyncPacer, mailFirst: boolean): Call {
  const due = () => (mailFirst ? mailIsDue(ports.db, ports.clock.now()) : Promise.resolve(false));
  return async (request) => {
    if (!(await pacer.turn(due))) return null;
    const a = await request();
    if (a.error?.statusCode === 429) pacer.backOff(retryAfterMs(a.headers));
    return a;
  };
}

/** How long a delivery waits when the pacer had no turn for it (mail kept the provider busy). */
const DEFER_MS = 5000;

/**
 * The sender of Resend contact sync consumers: it reads the event and its subscription now,
 * decides the operation (src/domain/resend-sync.ts) and applies it. Success is recorded like a
 * webhook's 2xx, a refusal like a failed attempt (the push queue retries it on its schedule).
 */
export function resendSyncSender(client: Resend, pacer: SyncPacer): PushSender {
  return async (ports, d): Promise<SendResult> => {
    const target = await syncTarget(ports.db, d.consumerId);
    if (!target) return { drop: 'the sync was removed' };
    const e = await syncSubject(ports.db, d.seq);
    if (!e) return { drop: 'the event is gone' };
    const op = syncOperation({ ...e, publicId: e.subscriptionPublicId ?? e.publicId, superseded: !!e.superseded });
    if (op.kind === 'none') return { ok: true, status: null, error: null, excerpt: `nothing to do: ${op.why}`, durationMs: 0 };
    const started = performance.now();
    const call = pacedCall(ports, pacer, ports.config.mailTransport === 'resend');
    try {
      const contactId = await applyOperation(client, call, target, op);
      if (op.kind === 'upsert' && contactId && op.publicId) await rememberContact(ports.db, op.publicId, contactId, ports.clock.now());
      if (op.kind === 'delete') await forgetContact(ports.db, op.contactId);
      return { ok: true, status: 200, error: null, excerpt: op.kind, durationMs: performance.now() - started };
    } catch (err) {
      if (err instanceof Deferred) return { defer: DEFER_MS };
      if (!(err instanceof Refused)) throw err;
      return { ok: false, status: err.answer.error?.statusCode ?? null, error: err.message, excerpt: op.kind, durationMs: performance.now() - started };
    }
  };
}

/**
 * The `resend_sync` sender when RESEND_API_KEY is set (else none: sync consumers wait). One pacer
 * per process (Node) or cron run (Workers): RESEND_SYNC_PER_SECOND across every synced list.
 */
export function resendSyncSenders(config: Config, maxWaitMs: number): { resend_sync?: PushSender } {
  const client = resendSyncClient(config);
  return client ? { resend_sync: resendSyncSender(client, syncPacer({ perSecond: config.RESEND_SYNC_PER_SECOND, maxWaitMs })) } : {};
}
