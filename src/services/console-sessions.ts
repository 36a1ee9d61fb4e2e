import type { ConsoleSession, Deps, Principal } from '../deps';
import { audit } from '../db/queries/audit';
import { deleteAdminSession, findAdminSession, insertAdminSession, purgeAdminSessions, type SessionKeyState, touchAdminSession } from '../db/queries/console-sessions';
import { markKeyUsed } from '../db/queries/keys';
import { randomTokens, sha256Hex } from '../domain/ids';
import { authenticate } from './keys';

type Ports = Pick<Deps, 'db' | 'clock' | 'config'>;

/** Activity is written at most once a minute (idle expiry may come up to a minute early). */
const TOUCH_EVERY_MS = 60_000;
/** What a session cookie holds: 43 URL-safe characters (32 random bytes). */
const SESSION_TOKEN = /^[A-Za-z0-9_-]{43}$/;

const idleMs = (config: Deps['config']) => config.ADMIN_SESSION_IDLE_MINUTES * 60_000;

export type SignInOutcome = { ok: true; token: string; session: ConsoleSession } | { ok: false; reason: 'unknown_key' | 'not_admin' };

/**
 * Opens a console session for a pasted key: a key with the `admin` scope (or ADMIN_TOKEN). The
 * cookie's secret exists only in this answer; the table keeps its SHA-256, the key's id and a
 * CSRF token. Audited under the key's id.
 */
export async function signIn(deps: Ports, presented: string): Promise<SignInOutcome> {
  const principal = await authenticate(deps, presented);
  if (!principal) return { ok: false, reason: 'unknown_key' };
  if (!principal.scopes.includes('admin')) return { ok: false, reason: 'not_admin' };
  const now = deps.clock.now();
  const [token, csrf] = randomTokens(32, 24);
  const id = await sha256Hex(token);
  await insertAdminSession(deps.db, {
    id,
    keyId: principal.id,
    tokenHash: principal.id === 'ADMIN_TOKEN' ? await sha256Hex(presented) : null,
    csrf,
    createdAt: now,
    lastSeenAt: now,
    expiresAt: now + deps.config.ADMIN_SESSION_MAX_HOURS * 3600_000,
  });
  await audit(deps.db, { actor: principal.id, action: 'console.sign_in', detail: { session: id.slice(0, 12), lists: principal.lists }, at: now });
  return { ok: true, token, session: { id, principal, csrf } };
}

/**
 * The session a cookie names, checked on every request: it must be within its idle and absolute
 * lifetimes, and its key still active with the admin scope (revoking the key ends it; so does
 * changing ADMIN_TOKEN). A session that fails any check is deleted.
 */
export async function resumeSession(deps: Ports, token: string | undefined): Promise<ConsoleSession | undefined> {
  if (!token || !SESSION_TOKEN.test(token)) return undefined;
  const id = await sha256Hex(token);
  const found = await findAdminSession(deps.db, id);
  if (!found) return undefined;
  const { s, key } = found;
  const now = deps.clock.now();
  const principal = await principalOf(deps, s, key);
  if (!principal || s.expiresAt <= now || s.lastSeenAt + idleMs(deps.config) <= now) {
    await deleteAdminSession(deps.db, id);
    return undefined;
  }
  if (now - s.lastSeenAt >= TOUCH_EVERY_MS) {
    await touchAdminSession(deps.db, id, now);
    // The keys page's "last used" counts console use too.
    if (key && (key.lastUsedAt === null || key.lastUsedAt <= now - TOUCH_EVERY_MS)) await markKeyUsed(deps.db, s.keyId, now);
  }
  return { id, principal, csrf: s.csrf };
}

async function principalOf(deps: Ports, s: { keyId: string; tokenHash: string | null }, key: SessionKeyState | null): Promise<Principal | undefined> {
  if (s.keyId === 'ADMIN_TOKEN') {
    const current = deps.config.ADMIN_TOKEN;
    return current && s.tokenHash === (await sha256Hex(current)) ? { id: 'ADMIN_TOKEN', scopes: ['admin'], lists: null } : undefined;
  }
  if (!key || key.revokedAt !== null || !key.scopes.includes('admin')) return undefined;
  return { id: s.keyId, scopes: key.scopes, lists: key.lists ?? null };
}

/** Ends a session on the server (the cookie alone opens nothing afterwards); audited. */
export async function signOut(deps: Pick<Deps, 'db' | 'clock'>, session: ConsoleSession): Promise<void> {
  await deleteAdminSession(deps.db, session.id);
  await audit(deps.db, { actor: session.principal.id, action: 'console.sign_out', detail: { session: session.id.slice(0, 12) }, at: deps.clock.now() });
}

/** Forgets the session a cookie names, if any (a new sign-in in the same browser replaces it). */
export async function forgetSession(deps: Pick<Deps, 'db'>, token: string | undefined): Promise<void> {
  if (token && SESSION_TOKEN.test(token)) await deleteAdminSession(deps.db, await sha256Hex(token));
}

/** Housekeeping: sessions past either lifetime go. */
export const purgeConsoleSessions = (deps: Ports) => {
  const now = deps.clock.now();
  return purgeAdminSessions(deps.db, now, now - idleMs(deps.config));
};
