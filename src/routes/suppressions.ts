import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../deps';
import { audit } from '../db/queries/audit';
import { eraseAddress } from '../db/queries/erasure';
import { findSuppression, pageSuppressions, removeSuppression, suppressAddress, type Suppression } from '../db/queries/suppressions';
import { eventAddress } from '../domain/delivery-rules';
import { addressHash } from '../domain/ids';
import { ApiError, invalidInput, validate } from '../errors';
import { readBody } from '../http';
import { principalOf, requireKey } from '../middleware/auth';

export const suppressionRoutes = new Hono<AppEnv>();

// Both span lists: an admin key not limited to lists.
const admin = requireKey({ scope: 'admin', crossList: true });
suppressionRoutes.use('/v1/suppressions', admin);
suppressionRoutes.use('/v1/suppressions/*', admin);
suppressionRoutes.on('DELETE', '/v1/subscribers/:email', admin);

const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: z.string().regex(/^\d{1,16}\.[0-9a-f]{64}$/, 'not a cursor from this endpoint').optional(),
});
const addBody = z.object({ email: z.string(), reason: z.literal('manual').default('manual') }).strict();

const view = (s: Suppression) => ({ email: s.email, hash: s.hash, reason: s.reason, source: s.source, created_at: new Date(s.createdAt).toISOString() });

/** The path's address as a key and hash; 422 when it is not an address. */
async function addressOf(hashKey: CryptoKey, text: string) {
  const address = eventAddress(text);
  if (!address) throw invalidInput([{ field: 'email', code: 'invalid', message: 'Enter a valid email address.' }]);
  return { ...address, hash: await addressHash(hashKey, address.key) };
}

suppressionRoutes.get('/v1/suppressions', async (c) => {
  const deps = c.get('deps');
  const q = validate(pageQuery, c.req.query());
  const [at, hash] = q.cursor?.split('.') ?? [];
  const rows = await pageSuppressions(deps.db, q.limit + 1, q.cursor ? { createdAt: Number(at), hash } : undefined);
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  return c.json({ data: page.map(view), next_cursor: rows.length > q.limit ? `${last.createdAt}.${last.hash}` : null });
});

suppressionRoutes.post('/v1/suppressions', async (c) => {
  const deps = c.get('deps');
  const input = validate(addBody, await readBody(c));
  const a = await addressOf(deps.hashKey, input.email);
  const now = deps.clock.now();
  const existing = await findSuppression(deps.db, a.hash);
  const actor = principalOf(c).id;
  await suppressAddress(deps.atomic, { key: a.key, email: a.email, hash: a.hash, reason: input.reason, source: `admin:${actor}`, now });
  // Audit rows name the hash, never the address: they must survive an erasure without holding it.
  await audit(deps.db, { actor, action: 'suppression.add', target: a.hash, detail: { reason: input.reason, existing: existing?.reason ?? null }, at: now });
  const row = (await findSuppression(deps.db, a.hash))!;
  return c.json(view(row), existing ? 200 : 201);
});

suppressionRoutes.delete('/v1/suppressions/:email', async (c) => {
  const deps = c.get('deps');
  const a = await addressOf(deps.hashKey, c.req.param('email'));
  const row = await findSuppression(deps.db, a.hash);
  if (!row) throw new ApiError('not_found', 'This address is not suppressed.');
  const force = c.req.query('force') === 'true';
  // The person asked not to get mail (complaint) or to be forgotten (erased): lifting that is deliberate.
  if ((row.reason === 'complaint' || row.reason === 'erased') && !force) {
    throw new ApiError('conflict', `This suppression comes from a ${row.reason === 'complaint' ? 'spam complaint' : 'erasure'}; add ?force=true to remove it anyway.`);
  }
  await removeSuppression(deps.db, a.hash);
  await audit(deps.db, { actor: principalOf(c).id, action: 'suppression.remove', target: a.hash, detail: { reason: row.reason, force }, at: deps.clock.now() });
  return c.body(null, 204);
});

/** Erasure: 200 with how many lists held the address (also for an address on none: it is still never mailed again). */
suppressionRoutes.delete('/v1/subscribers/:email', async (c) => {
  const deps = c.get('deps');
  const a = await addressOf(deps.hashKey, c.req.param('email'));
  const now = deps.clock.now();
  const { lists } = await eraseAddress(deps.atomic, deps.db, { key: a.key, hash: a.hash, now });
  await audit(deps.db, { actor: principalOf(c).id, action: 'subscriber.erase', target: a.hash, detail: { lists }, at: now });
  return c.json({ status: 'erased', lists }, 200);
});
