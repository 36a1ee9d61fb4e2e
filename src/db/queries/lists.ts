import { and, asc, eq, inArray, ne, sql } from 'drizzle-orm';
import type { Atomic, Db, List, ListSettings } from '../types';
import { preparedPerDb } from '../prepared';
import { changes, consentTexts, imports, listDaily, lists, outbox, pushConsumers, resendSyncs, settings, subscriptions } from '../schema';

const listQueries = preparedPerDb((db) => ({
  bySlug: db.select().from(lists).where(eq(lists.slug, sql.placeholder('slug'))).prepare(),
  byId: db.select().from(lists).where(eq(lists.id, sql.placeholder('id'))).prepare(),
}));

/** Read on every signup and page view: a prepared query (src/db/prepared.ts), always the current row. */
export async function findList(db: Db, slug: string): Promise<List | undefined> {
  return (await listQueries(db).bySlug.get({ slug })) as List | undefined;
}

/**
 * How long a signup may reuse a list's row read for an earlier one. The row changes with every
 * signup (its counters), so SQLite reads it afresh each time (about a twelfth of a signup's time on
 * the event loop, bench/RESULTS.md round 6); a signup needs only its settings. A change made in this
 * process (the API, the console) reaches the next signup at once; one made by another process (the
 * CLI) or another Workers isolate within this long.
 */
export const LIST_REUSE_MS = 1000;
/** Counts this process's writes of list rows: a write makes every row read before it stale. */
let listWrites = 0;
/**
 * Counted once the write has settled (committed or failed): a read that began before then has
 * counted the writes before it and is never reused; one that begins after sees the write.
 */
async function afterListWrite<T>(write: () => T | PromiseLike<T>): Promise<T> {
  try {
    return await write();
  } finally {
    listWrites++;
  }
}
type RecentList = { list: List; readAt: number; writes: number };
const recentLists = new WeakMap<Db, Map<string, RecentList>>();
const MAX_RECENT_LISTS = 1000;

/**
 * findList for a signup: the row read for an earlier signup while it is recent (LIST_REUSE_MS) and
 * no list was written in this process since; undefined (read afresh every time) for no such list.
 * Its counters may be behind: only settings are read from it.
 */
export async function findRecentList(db: Db, slug: string, now: number): Promise<List | undefined> {
  let recent = recentLists.get(db);
  if (!recent) recentLists.set(db, (recent = new Map()));
  const hit = recent.get(slug);
  if (hit && hit.writes === listWrites && now >= hit.readAt && now - hit.readAt < LIST_REUSE_MS) return hit.list;
  const writes = listWrites;
  const list = await findList(db, slug);
  if (!list) recent.delete(slug);
  else {
    if (recent.size >= MAX_RECENT_LISTS) recent.clear();
    recent.set(slug, { list, readAt: now, writes });
  }
  return list;
}

export async function findListById(db: Db, id: number): Promise<List | undefined> {
  return (await listQueries(db).byId.get({ id })) as List | undefined;
}

export async function allLists(db: Db): Promise<List[]> {
  return db.select().from(lists).orderBy(asc(lists.slug)).all();
}

/** Creates or replaces a list's settings in one statement; `created` tells which happened. */
export async function putList(db: Db, slug: string, values: ListSettings, now: number): Promise<{ list: List; created: boolean }> {
  const settings = {
    name: values.name,
    from: values.from ?? null,
    language: values.language ?? 'en',
    redirectPending: values.redirectPending ?? null,
    redirectConfirmed: values.redirectConfirmed ?? null,
    allowedOrigins: values.allowedOrigins ?? [],
    turnstileSiteKey: values.turnstileSiteKey ?? null,
    turnstileSecret: values.turnstileSecret ?? null,
    checkMx: values.checkMx ?? false,
    blockDisposable: values.blockDisposable ?? false,
    confirmationMail: values.confirmationMail ?? null,
    consentText: values.consentText ?? null,
    consentHash: values.consentHash ?? null,
    replyTo: values.replyTo ?? null,
    mailFooter: values.mailFooter ?? null,
    reminderAfterHours: values.reminderAfterHours ?? null,
    updatedAt: now,
  };
  const existing = await findList(db, slug);
  const list = await afterListWrite(() =>
    db
      .insert(lists)
      .values({ ...settings, slug, createdAt: now })
      .onConflictDoUpdate({ target: lists.slug, set: settings })
      .returning()
      .get(),
  );
  return { list, created: !existing };
}

/** The zero-configuration default list; does nothing when it already exists. */
export async function ensureDefaultList(db: Db, now: number): Promise<void> {
  await afterListWrite(() => db.insert(lists).values({ slug: 'newsletter', name: 'Newsletter', createdAt: now, updatedAt: now }).onConflictDoNothing());
}

/**
 * Removes a list and everything that belongs to it alone, in one atomic group: its subscriptions,
 * their mail not being sent (a batch in flight settles and then forgets them), its daily rows and imports.
 * Its feed events lose their addresses but stay: their positions are a floor of the counter that
 * confirmation positions come from, which must never go back. Suppressions and erasures stay.
 */
export async function deleteList(atomic: Atomic, id: number): Promise<void> {
  await afterListWrite(() => atomic((tx) => [
    tx.delete(outbox).where(and(eq(outbox.listId, id), ne(outbox.state, 'sending'))),
    // Its Resend sync's consumer (and with it the sync and its queue): nothing is left to push.
    tx.delete(pushConsumers).where(inArray(pushConsumers.id, tx.select({ id: resendSyncs.id }).from(resendSyncs).where(eq(resendSyncs.listId, id)))),
    tx.update(changes).set({ email: null }).where(eq(changes.listId, id)),
    tx.delete(listDaily).where(eq(listDaily.listId, id)),
    tx.delete(imports).where(eq(imports.listId, id)),
    tx.delete(subscriptions).where(eq(subscriptions.listId, id)),
    tx.delete(settings).where(eq(settings.key, `health_status:${id}`)),
    tx.delete(lists).where(eq(lists.id, id)),
  ]));
}

/** Keeps a consent wording under its hash (the first time it is seen). */
export async function rememberConsentText(db: Db, hash: string, text: string, now: number): Promise<void> {
  await db.insert(consentTexts).values({ hash, text, createdAt: now }).onConflictDoNothing();
}
