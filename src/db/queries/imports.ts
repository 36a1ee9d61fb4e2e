import { and, desc, eq, inArray, isNotNull, isNull, sql } from 'drizzle-orm';
import type { AnySQLiteColumn } from 'drizzle-orm/sqlite-core';
import type { Db, ImportMode, ImportRow } from '../types';
import { bound, preparedPerDb } from '../prepared';
import { addresses, changes, imports, outbox, subscriptions, suppressions } from '../schema';
import { queuedMailColumns } from './outbox';
import { MAIL_COOLDOWN_MS, MAIL_WINDOW_MS, topSeq } from './subscriptions';

/**
 * An import's chunk travels as one JSON array bound to one parameter and read with `json_each`:
 * one statement per kind of write whatever the chunk's size, within D1's 100 bound parameters per
 * statement, and no SQL text built from data. Each element holds one decided row (short keys).
 */
export type ChunkRow = {
  /** public_id, email, key, mailbox hash, legacy hash, name, opt-in time, unsubscribe token, signup id, provider. */
  p: string;
  e: string;
  k: string;
  h: string;
  l: string;
  n: string | null;
  o: number | null;
  u: string;
  s: string;
  v: string;
  /** reconfirm: when its mail may leave, and the nonce the cap update leaves for the outbox insert. */
  at?: number;
  c?: string;
};

export type ChunkCounts = {
  rows: number;
  imported: number;
  suppressed: number;
  erased: number;
  unsubscribed: number;
  already: number;
  invalid: number;
  duplicate: number;
};

/**
 * What the read phase learns of a chunk's mailboxes: the suppressions of their hashes (mailbox and
 * legacy), and the rows of their mailboxes on the list (with the import that brought each in).
 */
export async function chunkFacts(db: Db, listId: number, mailboxHashes: string[], allHashes: string[]) {
  const inList = (values: string[]) => sql`(SELECT value FROM json_each(${JSON.stringify(values)}))`;
  const [suppressed, onList] = await Promise.all([
    db
      .select({ hash: suppressions.hash, reason: suppressions.reason, source: suppressions.source })
      .from(suppressions)
      .where(sql`${suppressions.hash} IN ${inList(allHashes)}`)
      .all(),
    db
      .select({ hash: subscriptions.mailboxHash, state: subscriptions.state, importId: subscriptions.importId })
      .from(subscriptions)
      // `+list_id`: by the mailbox index; the list's own index would walk every row of the list per chunk.
      .where(and(sql`${subscriptions.mailboxHash} IN ${inList(mailboxHashes)}`, sql`+${subscriptions.listId} = ${listId}`))
      .all(),
  ]);
  return { suppressed, onList };
}
export type ChunkFacts = Awaited<ReturnType<typeof chunkFacts>>;

const field = (key: keyof ChunkRow) => sql.raw(`j.value ->> '${key}'`);
const rowsOf = sql`json_each(${sql.placeholder('chunk')}) AS j`;

/**
 * The guards every imported row passes inside SQL too, so a signup, suppression or erasure that
 * lands between the read and the write is never overwritten: no suppression of the mailbox (or of
 * the address as typed, from before mailboxes were folded), and no row of the mailbox on the list.
 */
const guards = sql`NOT EXISTS (SELECT 1 FROM ${suppressions} WHERE ${suppressions.hash} IN (${field('h')}, ${field('l')}))
  AND NOT EXISTS (SELECT 1 FROM ${subscriptions} x WHERE x.mailbox_hash = ${field('h')} AND x.list_id = ${sql.placeholder('listId')})`;

/** The subscriptions of a chunk: confirmed (with a position from the feed's counter) or pending. */
const insertRows = (db: Db, state: 'confirmed' | 'pending') => {
  const p = (name: string) => sql.placeholder(name);
  const confirmed = state === 'confirmed';
  return db
    .insert(subscriptions)
    .select(
      db
        .select({
          id: sql<number>`NULL`.as('id'),
          publicId: sql<string>`${field('p')}`.as('public_id'),
          listId: sql<number>`${p('listId')}`.as('list_id'),
          email: sql<string>`${field('e')}`.as('email'),
          key: sql<string>`${field('k')}`.as('key'),
          mailboxHash: sql<string>`${field('h')}`.as('mailbox_hash'),
          name: sql`${field('n')}`.as('name'),
          state: sql<typeof state>`${state}`.as('state'),
          signupId: sql<string>`${field('s')}`.as('signup_id'),
          unsubToken: sql<string>`${field('u')}`.as('unsub_token'),
          createdAt: sql<number>`${p('now')}`.as('created_at'),
          updatedAt: sql<number>`${p('now')}`.as('updated_at'),
          // A pending row waits for its paced mail; it expires CONFIRM_TTL_HOURS after the mail leaves.
          expiresAt: sql`${confirmed ? sql`NULL` : sql`${field('at')} + ${p('ttlMs')}`}`.as('expires_at'),
          confirmedAt: sql`${confirmed ? p('now') : sql`NULL`}`.as('confirmed_at'),
          // The same counter as the feed (see confirmSignup), computed once per statement, one step per row.
          confirmSeq: sql`${
            confirmed
              ? sql`${topSeq} + 1 + j.key`
              : sql`NULL`
          }`.as('confirm_seq'),
          unsubscribedAt: sql`NULL`.as('unsubscribed_at'),
          suppressedAt: sql`NULL`.as('suppressed_at'),
          signupIp: sql`NULL`.as('signup_ip'),
          signupUserAgent: sql`NULL`.as('signup_user_agent'),
          signupSource: sql`NULL`.as('signup_source'),
          confirmIp: sql`NULL`.as('confirm_ip'),
          confirmUserAgent: sql`NULL`.as('confirm_user_agent'),
          unsubscribeSource: sql`NULL`.as('unsubscribe_source'),
          // Imported rows are no signups: without signed_up_at the funnel and daily signups skip them.
          signedUpAt: sql`NULL`.as('signed_up_at'),
          provider: sql<string>`${field('v')}`.as('provider'),
          firstMailAt: sql`NULL`.as('first_mail_at'),
          remindedAt: sql`NULL`.as('reminded_at'),
          consentHash: sql`NULL`.as('consent_hash'),
          importId: sql<number>`${p('importId')}`.as('import_id'),
          optInAt: sql`${field('o')}`.as('opt_in_at'),
        })
        .from(rowsOf)
        .where(guards),
    )
    .onConflictDoNothing()
    .prepare();
};

/** Bumps the import's counters by a chunk's, in the chunk's own group (reconfirm: with the mail it queued). */
const countChunk = (db: Db, mode: ImportMode) => {
  const p = (name: keyof ChunkCounts | 'now' | 'importId') => sql.placeholder(name);
  const plus = (column: AnySQLiteColumn, name: keyof ChunkCounts) => sql`${column} + ${p(name)}`;
  // The mailboxes whose cap admitted this chunk's mail carry its nonce (no mail once held back).
  const queued = sql`${imports.mailsQueued} + (SELECT count(*) FROM ${rowsOf} JOIN ${addresses} a ON a.key = ${field('h')} AND a.mail_nonce = ${field('c')})`;
  return db
    .update(imports)
    .set({
      rows: plus(imports.rows, 'rows'),
      imported: plus(imports.imported, 'imported'),
      skippedSuppressed: plus(imports.skippedSuppressed, 'suppressed'),
      skippedErased: plus(imports.skippedErased, 'erased'),
      skippedUnsubscribed: plus(imports.skippedUnsubscribed, 'unsubscribed'),
      skippedAlready: plus(imports.skippedAlready, 'already'),
      skippedInvalid: plus(imports.skippedInvalid, 'invalid'),
      skippedDuplicate: plus(imports.skippedDuplicate, 'duplicate'),
      ...(mode === 'reconfirm' ? { mailsQueued: sql`CASE WHEN ${imports.mailHeldAt} IS NULL THEN ${queued} ELSE ${imports.mailsQueued} END` } : {}),
      updatedAt: sql`${p('now')}`,
    })
    .where(eq(imports.id, p('importId')))
    .prepare();
};

const chunkStatements = preparedPerDb((db) => {
  const p = (name: string) => sql.placeholder(name);
  return {
    confirmed: [
      insertRows(db, 'confirmed'),
      // The triggers write feed events only on state changes: an imported confirmation gets its own,
      // silent unless the import asked to notify (pushes pass silent events over; the feed shows them).
      db
        .insert(changes)
        .select(
          db
            .select({
              seq: sql<number>`NULL`.as('seq'),
              listId: subscriptions.listId,
              subscriptionId: subscriptions.id,
              publicId: subscriptions.publicId,
              type: sql<'confirmed'>`'confirmed'`.as('type'),
              silent: sql<boolean>`${p('silent')}`.as('silent'),
              email: subscriptions.email,
              at: sql<number>`${p('now')}`.as('at'),
            })
            // Driven by the chunk (public ids are fresh: only its own rows match), never by the import's rows.
            .from(rowsOf)
            .innerJoin(subscriptions, sql`${subscriptions.publicId} = ${field('p')}`)
            .orderBy(subscriptions.confirmSeq),
        )
        .prepare(),
      countChunk(db, 'confirmed'),
    ],
    reconfirm: [
      insertRows(db, 'pending'),
      // The per-mailbox cap, as a signup's: a mail at `at` only 15 minutes after the mailbox's last
      // and within three per 24 hours; the nonce marks the mailboxes whose mail was admitted.
      db
        .insert(addresses)
        .select(
          db
            .select({
              key: sql<string>`${field('h')}`.as('key'),
              mail1At: sql<number>`${field('at')}`.as('mail1_at'),
              mail2At: sql`NULL`.as('mail2_at'),
              mail3At: sql`NULL`.as('mail3_at'),
              mailNonce: sql<string>`${field('c')}`.as('mail_nonce'),
            })
            .from(rowsOf)
            .where(sql`EXISTS (SELECT 1 FROM ${subscriptions} s WHERE s.public_id = ${field('p')} AND s.import_id = ${p('importId')})`),
        )
        .onConflictDoUpdate({
          target: addresses.key,
          set: {
            mail3At: sql`${addresses.mail2At}`,
            mail2At: sql`${addresses.mail1At}`,
            mail1At: sql`excluded.mail1_at`,
            mailNonce: sql`excluded.mail_nonce`,
          },
          setWhere: sql`(${addresses.mail1At} IS NULL OR ${addresses.mail1At} <= excluded.mail1_at - ${MAIL_COOLDOWN_MS})
            AND (${addresses.mail3At} IS NULL OR ${addresses.mail3At} <= excluded.mail1_at - ${MAIL_WINDOW_MS})`,
        })
        .prepare(),
      // Its mail, paced: due (and counted as created, for the outbox's age limit) at its slot; none
      // once the import's mail is held back.
      db
        .insert(outbox)
        .select(
          db
            .select(queuedMailColumns('confirmation', sql`${field('at')}`, sql`${field('at')}`))
            .from(rowsOf)
            .innerJoin(subscriptions, sql`${subscriptions.publicId} = ${field('p')}`)
            .innerJoin(addresses, sql`${addresses.key} = ${field('h')} AND ${addresses.mailNonce} = ${field('c')}`)
            .where(
              and(
                eq(subscriptions.importId, p('importId')),
                sql`NOT EXISTS (SELECT 1 FROM ${imports} WHERE ${imports.id} = ${p('importId')} AND ${imports.mailHeldAt} IS NOT NULL)`,
              ),
            ),
        )
        .prepare(),
      countChunk(db, 'reconfirm'),
    ],
    suppress: [
      db
        .insert(suppressions)
        .select(
          db
            .select({
              hash: sql<string>`${field('h')}`.as('hash'),
              email: sql<string>`${field('e')}`.as('email'),
              reason: sql<'manual'>`'manual'`.as('reason'),
              source: sql<string>`${p('source')}`.as('source'),
              createdAt: sql<number>`${p('now')}`.as('created_at'),
            })
            .from(rowsOf)
            .where(sql`NOT EXISTS (SELECT 1 FROM ${suppressions} x WHERE x.hash = ${field('l')})`),
        )
        .onConflictDoNothing()
        .prepare(),
      // What follows from a suppression (see suppressionEffects), for the whole chunk: every
      // subscription of each mailbox on every list, and the mail still queued for them. Their
      // `suppressed` events are never silent: a mailer must stop mailing a suppressed address.
      db
        .update(subscriptions)
        .set({ state: 'suppressed', suppressedAt: sql`${p('now')}`, updatedAt: sql`${p('now')}`, expiresAt: null })
        .where(and(sql`${subscriptions.mailboxHash} IN (SELECT ${field('h')} FROM ${rowsOf})`, sql`${subscriptions.state} <> 'suppressed'`))
        .prepare(),
      db
        .update(outbox)
        .set({ state: 'failed', lastError: 'suppressed: manual' })
        .where(
          and(
            eq(outbox.state, 'queued'),
            sql`${outbox.subscriptionId} IN (SELECT s.id FROM ${subscriptions} s WHERE s.mailbox_hash IN (SELECT ${field('h')} FROM ${rowsOf}))`,
          ),
        )
        .prepare(),
      countChunk(db, 'suppress'),
    ],
  };
});

export type ChunkWrite = {
  mode: ImportMode;
  importId: number;
  listId: number;
  rows: ChunkRow[];
  counts: ChunkCounts;
  now: number;
  /** Feed events of the rows go to pushes too (notify=1). */
  notify: boolean;
  ttlMs: number;
  /** The suppression's `source` (mode suppress). */
  source: string;
};

/**
 * One chunk of an import as one atomic group (a transaction on better-sqlite3, one batch on D1):
 * its rows, their feed events or mail, and the import's counters commit together or not at all.
 */
export function chunkGroup(db: Db, w: ChunkWrite) {
  const values = {
    chunk: JSON.stringify(w.rows),
    listId: w.listId,
    importId: w.importId,
    now: w.now,
    silent: w.notify ? 0 : 1,
    ttlMs: w.ttlMs,
    source: w.source,
    ...w.counts,
  };
  return chunkStatements(db)[w.mode].map((statement) => bound(statement, values));
}

export async function createImport(db: Db, v: { publicId: string; listId: number; mode: ImportMode; consentSource: string | null; notify: boolean; actor: string; now: number }): Promise<number> {
  const row = await db
    .insert(imports)
    .values({ ...v, createdAt: v.now, updatedAt: v.now })
    .returning({ id: imports.id })
    .get();
  return row!.id;
}

export async function finishImport(db: Db, id: number, state: 'done' | 'failed' | 'stopped', now: number): Promise<void> {
  await db.update(imports).set({ state, finishedAt: now, updatedAt: now }).where(and(eq(imports.id, id), eq(imports.state, 'running')));
}

/** The latest time a reconfirm import's mail is scheduled for, across the installation (pacing is shared). */
export async function lastScheduledImportMail(db: Db): Promise<number | null> {
  const row = await db
    .select({ at: sql<number | null>`max(${outbox.nextAttemptAt})` })
    .from(outbox)
    .innerJoin(subscriptions, eq(subscriptions.id, outbox.subscriptionId))
    .where(and(eq(outbox.state, 'queued'), isNotNull(subscriptions.importId)))
    .get();
  return row?.at ?? null;
}

export async function findImport(db: Db, id: number): Promise<ImportRow | undefined> {
  return db.select().from(imports).where(eq(imports.id, id)).get();
}

/** A list's imports, newest first. */
export async function recentImports(db: Db, listId: number, limit: number): Promise<ImportRow[]> {
  return db.select().from(imports).where(eq(imports.listId, listId)).orderBy(desc(imports.id)).limit(limit).all();
}

/** Reconfirm imports on these lists whose mail still flows: the ones a bounce or complaint may hold back. */
export async function importsMailing(db: Db, listIds: number[]): Promise<ImportRow[]> {
  if (listIds.length === 0) return [];
  return db
    .select()
    .from(imports)
    .where(and(inArray(imports.listId, listIds), eq(imports.mode, 'reconfirm'), isNull(imports.mailHeldAt)))
    .all();
}

/**
 * Holds back an import's remaining confirmation mail: queued mail of its rows fails (the drain
 * never sends it), and their pending rows expire CONFIRM_TTL_HOURS from now like any signup whose
 * mail could not be sent. Once: a second call finds the import held and changes nothing.
 */
export async function holdImportMail(db: Db, id: number, reason: 'bounce' | 'complaint', now: number, ttlMs: number): Promise<boolean> {
  const held = await db
    .update(imports)
    .set({ mailHeldAt: now, mailHeldReason: reason, updatedAt: now })
    .where(and(eq(imports.id, id), isNull(imports.mailHeldAt)))
    .returning({ id: imports.id })
    .all();
  if (held.length === 0) return false;
  const ofImport = db.select({ id: subscriptions.id }).from(subscriptions).where(eq(subscriptions.importId, id));
  await db
    .update(outbox)
    .set({ state: 'failed', lastError: `held: the import's ${reason} rate crossed the review threshold` })
    .where(and(eq(outbox.state, 'queued'), inArray(outbox.subscriptionId, ofImport)));
  await db
    .update(subscriptions)
    .set({ expiresAt: now + ttlMs })
    .where(and(eq(subscriptions.importId, id), eq(subscriptions.state, 'pending'), isNull(subscriptions.firstMailAt)));
  return true;
}
