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
  const list = await db
    .insert(lists)
    .values({ ...settings, slug, createdAt: now })
    .onConflictDoUpdate({ target: lists.slug, set: settings })
    .returning()
    .get();
  return { list, created: !existing };
}

/** The zero-configuration default list; does nothing when it already exists. */
export async function ensureDefaultList(db: Db, now: number): Promise<void> {
  await db
    .insert(lists)
    .values({ slug: 'newsletter', name: 'Newsletter', createdAt: now, updatedAt: now })
    .onConflictDoNothing();
}

/**
 * Removes a list and everything that belongs to it alone, in one atomic group: its subscriptions,
 * their mail not being sent (a batch in flight settles and then forgets them), its daily rows and imports.
 * Its feed events lose their addresses but stay: their positions are a floor of the counter that
 * confirmation positions come from, which must never go back. Suppressions and erasures stay.
 */
export async function deleteList(atomic: Atomic, id: number): Promise<void> {
  await atomic((tx) => [
    tx.delete(outbox).where(and(eq(outbox.listId, id), ne(outbox.state, 'sending'))),
    // Its Resend sync's consumer (and with it the sync and its queue): nothing is left to push.
    tx.delete(pushConsumers).where(inArray(pushConsumers.id, tx.select({ id: resendSyncs.id }).from(resendSyncs).where(eq(resendSyncs.listId, id)))),
    tx.update(changes).set({ email: null }).where(eq(changes.listId, id)),
    tx.delete(listDaily).where(eq(listDaily.listId, id)),
    tx.delete(imports).where(eq(imports.listId, id)),
    tx.delete(subscriptions).where(eq(subscriptions.listId, id)),
    tx.delete(settings).where(eq(settings.key, `health_status:${id}`)),
    tx.delete(lists).where(eq(lists.id, id)),
  ]);
}

/** Keeps a consent wording under its hash (the first time it is seen). */
export async function rememberConsentText(db: Db, hash: string, text: string, now: number): Promise<void> {
  await db.insert(consentTexts).values({ hash, text, createdAt: now }).onConflictDoNothing();
}
