import { errorFor } from './errors';
import type { ResendErrorBody } from './types';

/**
 * Resend's contacts as resend-node 6.38 calls them (team-wide contacts, segments for membership,
 * topics for opt-in), without a network:
 *   POST /contacts {email, first_name, last_name, unsubscribed, properties, segments: [{id}], topics: [{id, subscription}]}
 *   GET|PATCH|DELETE /contacts/{id or email}; GET /contacts and GET /segments/{id}/contacts (?limit, ?after)
 *   POST|DELETE /contacts/{id or email}/segments/{segment}; GET /contacts/{x}/segments
 *   GET|PATCH /contacts/{x}/topics (PATCH body: [{id, subscription}])
 *   GET|POST /segments, GET /segments/{id}; GET|POST /topics, GET /topics/{id}
 * A contact's email is unique in the team (creating it again is 409). Tests make segments and
 * topics with `addSegment` / `addTopic` and read contacts back with `find`.
 */
export type Subscription = 'opt_in' | 'opt_out';
export type FakeContact = {
  id: string;
  email: string;
  first_name: string | null;
  last_name: string | null;
  unsubscribed: boolean;
  created_at: string;
  segments: Set<string>;
  topics: Map<string, Subscription>;
};
type Named = { id: string; name: string; created_at: string };
type Topic = Named & { description: string | null; default_subscription: Subscription };

export type ContactAnswer = { status: number; body: unknown } | { error: ResendErrorBody };

const uuid = () => crypto.randomUUID();
const notFound = (what: string): ContactAnswer => ({ error: { statusCode: 404, name: 'not_found', message: `${what} not found` } });
const invalid = (message: string): ContactAnswer => ({ error: { statusCode: 422, name: 'validation_error', message } });

export function contactStore() {
  const contacts = new Map<string, FakeContact>();
  const segments = new Map<string, Named>();
  const topics = new Map<string, Topic>();
  const now = () => new Date().toISOString();

  const lookup = (idOrEmail: string) => {
    const key = decodeURIComponent(idOrEmail);
    return contacts.get(key) ?? [...contacts.values()].find((c) => c.email === key.toLowerCase());
  };
  const view = (c: FakeContact) => ({ id: c.id, email: c.email, first_name: c.first_name, last_name: c.last_name, unsubscribed: c.unsubscribed, created_at: c.created_at });
  const topicsOf = (c: FakeContact) =>
    [...topics.values()].map((t) => ({ id: t.id, name: t.name, description: t.description, subscription: c.topics.get(t.id) ?? t.default_subscription }));
  /** Resend's cursor pages: `limit` (1-100, default 20) after the item with id `after`. */
  function page<T extends { id: string }>(items: T[], query: URLSearchParams): ContactAnswer {
    const limit = Number(query.get('limit') ?? 20);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) return invalid('limit must be between 1 and 100');
    const after = query.get('after');
    const start = after ? items.findIndex((i) => i.id === after) + 1 : 0;
    const data = items.slice(start, start + limit);
    return { status: 200, body: { object: 'list', data, has_more: start + limit < items.length } };
  }
  function topicChanges(value: unknown): Array<{ id: string; subscription: Subscription }> | string {
    if (value === undefined) return [];
    if (!Array.isArray(value)) return 'topics must be an array';
    for (const t of value) {
      if (!t || typeof t.id !== 'string' || (t.subscription !== 'opt_in' && t.subscription !== 'opt_out')) return 'each topic needs an id and a subscription of opt_in or opt_out';
      if (!topics.has(t.id)) return `topic ${t.id} not found`;
    }
    return value;
  }

  /** Answers a contacts, segments or topics request, or null when the path is none of them. */
  function handle(method: string, path: string, query: URLSearchParams, body: unknown): ContactAnswer | null {
    const b = (body ?? {}) as Record<string, unknown>;
    let m: RegExpMatchArray | null;
    if (path === '/contacts') {
      if (method === 'GET') return page([...contacts.values()].map(view), query);
      if (method !== 'POST') return { error: errorFor(405) };
      if (typeof b.email !== 'string' || !/^[^@\s]+@[^@\s]+$/.test(b.email)) return invalid('email is required and must be an address');
      if ([...contacts.values()].some((c) => c.email === (b.email as string).toLowerCase())) return { error: { statusCode: 409, name: 'validation_error', message: 'Contact already exists' } };
      const segs = (b.segments ?? []) as Array<{ id: string }>;
      if (!Array.isArray(segs) || segs.some((s) => !segments.has(s?.id))) return notFound('Segment');
      const tops = topicChanges(b.topics);
      if (typeof tops === 'string') return tops.endsWith('not found') ? notFound('Topic') : invalid(tops);
      const c: FakeContact = {
        id: uuid(),
        email: (b.email as string).toLowerCase(),
        first_name: (b.first_name as string) ?? null,
        last_name: (b.last_name as string) ?? null,
        unsubscribed: b.unsubscribed === true,
        created_at: now(),
        segments: new Set(segs.map((s) => s.id)),
        topics: new Map(tops.map((t) => [t.id, t.subscription])),
      };
      contacts.set(c.id, c);
      return { status: 201, body: { object: 'contact', id: c.id } };
    }
    if ((m = path.match(/^\/contacts\/([^/]+)$/))) {
      const c = lookup(m[1]);
      if (!c) return notFound('Contact');
      if (method === 'GET') return { status: 200, body: { object: 'contact', ...view(c), properties: {} } };
      if (method === 'PATCH') {
        if ('unsubscribed' in b && b.unsubscribed !== undefined) c.unsubscribed = b.unsubscribed === true;
        if (b.first_name !== undefined) c.first_name = b.first_name as string | null;
        if (b.last_name !== undefined) c.last_name = b.last_name as string | null;
        return { status: 200, body: { object: 'contact', id: c.id } };
      }
      if (method === 'DELETE') {
        contacts.delete(c.id);
        return { status: 200, body: { object: 'contact', contact: c.id, deleted: true } };
      }
      return { error: errorFor(405) };
    }
    if ((m = path.match(/^\/contacts\/([^/]+)\/segments(?:\/([^/]+))?$/))) {
      const c = lookup(m[1]);
      if (!c) return notFound('Contact');
      if (!m[2]) return method === 'GET' ? page([...c.segments].map((id) => segments.get(id)!), query) : { error: errorFor(405) };
      if (!segments.has(m[2])) return notFound('Segment');
      if (method === 'POST') c.segments.add(m[2]);
      else if (method === 'DELETE') c.segments.delete(m[2]);
      else return { error: errorFor(405) };
      return { status: 200, body: method === 'POST' ? { id: m[2] } : { id: m[2], deleted: true } };
    }
    if ((m = path.match(/^\/contacts\/([^/]+)\/topics$/))) {
      const c = lookup(m[1]);
      if (!c) return notFound('Contact');
      if (method === 'GET') return page(topicsOf(c), query);
      if (method !== 'PATCH') return { error: errorFor(405) };
      const tops = topicChanges(body);
      if (typeof tops === 'string') return tops.endsWith('not found') ? notFound('Topic') : invalid(tops);
      for (const t of tops) c.topics.set(t.id, t.subscription);
      return { status: 200, body: { id: c.id } };
    }
    if ((m = path.match(/^\/segments\/([^/]+)\/contacts$/))) {
      if (!segments.has(m[1])) return notFound('Segment');
      return method === 'GET' ? page([...contacts.values()].filter((c) => c.segments.has(m![1])).map(view), query) : { error: errorFor(405) };
    }
    for (const [prefix, store] of [['/segments', segments], ['/topics', topics]] as const) {
      if (path === prefix) {
        if (method === 'GET') return { status: 200, body: { object: 'list', data: [...store.values()], has_more: false } };
        if (method !== 'POST' || typeof b.name !== 'string') return method === 'POST' ? invalid('name is required') : { error: errorFor(405) };
        const id = prefix === '/segments' ? addSegment(b.name) : addTopic(b.name, (b.default_subscription as Subscription) ?? 'opt_in');
        return { status: 201, body: { object: prefix.slice(1, -1), id, name: b.name } };
      }
      if ((m = path.match(new RegExp(`^${prefix}/([^/]+)$`)))) {
        const item = store.get(m[1]);
        if (!item) return notFound(prefix === '/segments' ? 'Segment' : 'Topic');
        return method === 'GET' ? { status: 200, body: { object: prefix.slice(1, -1), ...item } } : { error: errorFor(405) };
      }
    }
    return null;
  }

  function addSegment(name: string): string {
    const id = uuid();
    segments.set(id, { id, name, created_at: now() });
    return id;
  }
  function addTopic(name: string, defaultSubscription: Subscription = 'opt_in'): string {
    const id = uuid();
    topics.set(id, { id, name, description: null, default_subscription: defaultSubscription, created_at: now() });
    return id;
  }

  return {
    handle,
    addSegment,
    addTopic,
    /** The contact with this address (case-insensitive), or undefined. */
    find: (email: string) => [...contacts.values()].find((c) => c.email === email.toLowerCase()),
    all: () => [...contacts.values()],
    /** Whether `path` is one of these routes (so the emails router does not answer 404 for it). */
    owns: (path: string) => /^\/(contacts|segments|topics)(\/|$)/.test(path),
    clear() {
      contacts.clear();
      segments.clear();
      topics.clear();
    },
  };
}
export type ContactStore = ReturnType<typeof contactStore>;
