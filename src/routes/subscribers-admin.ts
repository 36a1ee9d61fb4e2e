import { Hono } from 'hono';
import type { AppEnv } from '../deps';
import { audit } from '../db/queries/audit';
import { subscriptionsOf, suppressionOf, unsubscribeByOperator } from '../db/queries/subscribers-admin';
import { parseAddress } from '../domain/address';
import { addressHash } from '../domain/ids';
import { ApiError, invalidInput } from '../errors';
import { principalOf, requireKey } from '../middleware/auth';
import { requireList } from './list-param';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** The key an address is stored under; a typo suggestion does not matter for a lookup. */
function addressKey(raw: string): string {
  const parsed = parseAddress(raw);
  if (parsed.ok) return parsed.key;
  if (parsed.code === 'typo' && parsed.suggestion) {
    // The address as typed is still what may be stored (it was accepted before the typo rule, or by an import).
    const at = raw.lastIndexOf('@');
    return `${raw.slice(0, at).trim().toLowerCase().normalize('NFC')}@${raw.slice(at + 1).trim().toLowerCase()}`;
  }
  throw invalidInput([{ field: 'email', code: parsed.code, message: parsed.message }]);
}

/** Operators answer "why did I get this?" and take an address off a list. */
export const subscribersAdminRoutes = new Hono<AppEnv>();

subscribersAdminRoutes.get('/v1/subscribers/:email', requireKey({ scope: 'admin', crossList: true }), async (c) => {
  const deps = c.get('deps');
  const key = addressKey(c.req.param('email'));
  const hash = await addressHash(deps.hashKey, key);
  const [rows, suppression] = await Promise.all([subscriptionsOf(deps.db, key), suppressionOf(deps.db, hash)]);
  if (rows.length === 0 && !suppression) throw new ApiError('not_found', 'This address is on no list.');
  // Audit rows name the keyed hash, never the address: they outlive an erasure.
  await audit(deps.db, { actor: principalOf(c).id, action: 'subscriber.lookup', target: hash, at: deps.clock.now() });
  return c.json({
    email: rows[0]?.s.email ?? suppression?.email ?? key,
    suppression: suppression ? { reason: suppression.reason, source: suppression.source, created_at: iso(suppression.createdAt) } : null,
    subscriptions: rows.map(({ list, listName, s }) => ({
      list,
      list_name: listName,
      email: s.email,
      name: s.name,
      state: s.state,
      created_at: iso(s.createdAt),
      updated_at: iso(s.updatedAt),
      confirmed_at: iso(s.confirmedAt),
      unsubscribed_at: iso(s.unsubscribedAt),
      suppressed_at: iso(s.suppressedAt),
      signup: { ip: s.signupIp, user_agent: s.signupUserAgent, source: s.signupSource },
      confirmation: s.confirmedAt === null ? null : { ip: s.confirmIp, user_agent: s.confirmUserAgent },
      unsubscribe: s.unsubscribedAt === null ? null : { source: s.unsubscribeSource },
    })),
  });
});

subscribersAdminRoutes.post('/v1/lists/:list/subscribers/:email/unsubscribe', requireKey({ scope: 'admin' }), async (c) => {
  const deps = c.get('deps');
  const list = await requireList(c);
  const key = addressKey(c.req.param('email'));
  const actor = principalOf(c).id;
  const now = deps.clock.now();
  const result = await unsubscribeByOperator(deps.db, list.id, key, now, `operator:${actor}`);
  if (!result) throw new ApiError('not_found', 'This address is not on this list.');
  if (result.changed) {
    await audit(deps.db, { actor, action: 'subscriber.unsubscribe', target: await addressHash(deps.hashKey, key), detail: { list: list.slug }, at: now });
  }
  return c.json({ status: result.state });
});
