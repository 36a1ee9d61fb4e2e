import { and, asc, eq, exists, inArray, isNull, lte, ne, not, or, sql } from 'drizzle-orm';
import type { AnySQLiteColumn } from 'drizzle-orm/sqlite-core';
import type { Atomic, Db, OutboxMessage, SubscriptionState } from '../types';
import { bound, preparedPerDb } from '../prepared';
import { queueAdmittedMail } from './outbox';
import { addresses, changes, consentTexts, imports, lists, outbox, subscriptions, suppressions } from '../schema';

export const MAIL_COOLDOWN_MS = 15 * 60 * 1000;
export const MAIL_WINDOW_MS = 24 * 60 * 60 * 1000;

const signupTargetQuery = preparedPerDb((db) =>
  db
    .select({ state: subscriptions.state, signupId: subscriptions.signupId })
    .from(subscriptions)
    .where(and(eq(subscriptions.listId, sql.placeholder('listId')), eq(subscriptions.key, sql.placeholder('key'))))
    .prepare(),
);

/** What a signup's read phase learns; the same one query runs whatever the address's state. */
export async function findSignupTarget(db: Db, listId: number, key: string) {
  return (await signupTargetQuery(db).get({ listId, key })) as { state: SubscriptionState; signupId: string } | undefined;
}

export type SignupWrite = {
  listId: number;
  email: string;
  key: string;
  name: string | null;
  /** Keyed hash of the mailbox: the cap's row, suppression and erasure find every variant by it. */
  mailboxHash: string;
  /** Keyed hash of the address as typed, which suppressions from before mailboxes were folded hold. */
  legacyHash: string;
  /** Opaque id for a new subscription; an existing row keeps its own. */
  publicId: string;
  /** The funnel's provider group of the address (gmail, outlook, ..., other). */
  provider: string;
  /** The consent wording the form showed (its hash), kept as evidence. */
  consentHash: string | null;
  now: number;
  expiresAt: number;
  /** Fresh id for a new or renewed signup; a pending row keeps its own. */
  freshSignupId: string;
  /** The signup id the rendered mail's token names. */
  mailSignupId: string;
  unsubToken: string;
  mailNonce: string;
  /**
   * The read phase saw the address unsubscribed from this list: its confirmation goes out at once,
   * past the 15-minute cooldown (the daily cap still holds). Only the renewal made in this same
   * group can use it: the cap's EXISTS needs the fresh signup id on a pending row.
   */
  skipCooldown: boolean;
  /** When the mail may leave: now, or later while the list is flooded. */
  mailAt: number;
  ip: string;
  userAgent: string | null;
  source: string | null;
};

type SignupValues = Omit<SignupWrite, 'skipCooldown'> & {
  /** The 15-minute cooldown's bound; skipping it moves the bound, the statement stays the same. */
  cooldownBound: number;
  windowBound: number;
};

/** The signup group, built once per Db with placeholders (src/db/prepared.ts); `p(name)` is a value slot. */
const signupStatements = preparedPerDb((db) => {
  const p = (name: keyof SignupValues) => sql.placeholder(name);
  const notSuppressed = sql`NOT EXISTS (SELECT 1 FROM ${suppressions} WHERE ${suppressions.hash} IN (${p('mailboxHash')}, ${p('legacyHash')}))`;
  // A pending signup keeps the name and consent evidence of its first signup: a repeat by anyone
  // changes neither. A return from unsubscribed (or a lifted suppression) is a new signup.
  const firstSignup = (column: AnySQLiteColumn) => sql`CASE WHEN ${subscriptions.state} = 'pending' THEN ${column} ELSE excluded.${sql.identifier(column.name)} END`;
  // What only a new signup starts afresh: a pending one keeps its first mail's time and reminder.
  const pendingKeeps = (column: AnySQLiteColumn) => sql`CASE WHEN ${subscriptions.state} = 'pending' THEN ${column} END`;
  return [
    db
      .insert(addresses)
      .select(
        db
          .select({ key: sql<string>`${p('mailboxHash')}`.as('key'), mail1At: sql`NULL`.as('m1'), mail2At: sql`NULL`.as('m2'), mail3At: sql`NULL`.as('m3'), mailNonce: sql`NULL`.as('n') })
          .from(lists)
          .where(and(eq(lists.id, p('listId')), notSuppressed)),
      )
      .onConflictDoNothing()
      .prepare(),
    db
      .insert(subscriptions)
      .select(
        db
          .select({
            id: sql<number>`NULL`.as('id'),
            publicId: sql<string>`${p('publicId')}`.as('public_id'),
            listId: lists.id,
            email: sql<string>`${p('email')}`.as('email'),
            key: sql<string>`${p('key')}`.as('key'),
            mailboxHash: sql<string>`${p('mailboxHash')}`.as('mailbox_hash'),
            name: sql`${p('name')}`.as('name'),
            state: sql<'pending'>`'pending'`.as('state'),
            signupId: sql<string>`${p('freshSignupId')}`.as('signup_id'),
            unsubToken: sql<string>`${p('unsubToken')}`.as('unsub_token'),
            createdAt: sql<number>`${p('now')}`.as('created_at'),
            updatedAt: sql<number>`${p('now')}`.as('updated_at'),
            expiresAt: sql<number>`${p('expiresAt')}`.as('expires_at'),
            confirmedAt: sql`NULL`.as('confirmed_at'),
            confirmSeq: sql`NULL`.as('confirm_seq'),
            unsubscribedAt: sql`NULL`.as('unsubscribed_at'),
            suppressedAt: sql`NULL`.as('suppressed_at'),
            signupIp: sql`${p('ip')}`.as('signup_ip'),
            signupUserAgent: sql`${p('userAgent')}`.as('signup_user_agent'),
            signupSource: sql`${p('source')}`.as('signup_source'),
            confirmIp: sql`NULL`.as('confirm_ip'),
            confirmUserAgent: sql`NULL`.as('confirm_user_agent'),
            unsubscribeSource: sql`NULL`.as('unsubscribe_source'),
            signedUpAt: sql<number>`${p('now')}`.as('signed_up_at'),
            provider: sql<string>`${p('provider')}`.as('provider'),
            firstMailAt: sql`NULL`.as('first_mail_at'),
            remindedAt: sql`NULL`.as('reminded_at'),
            consentHash: sql`${p('consentHash')}`.as('consent_hash'),
            importId: sql`NULL`.as('import_id'),
            optInAt: sql`NULL`.as('opt_in_at'),
          })
          .from(lists)
          .where(and(eq(lists.id, p('listId')), notSuppressed)),
      )
      .onConflictDoUpdate({
        target: [subscriptions.listId, subscriptions.key],
        set: {
          state: 'pending',
          signupId: firstSignup(subscriptions.signupId),
          name: firstSignup(subscriptions.name),
          signupIp: firstSignup(subscriptions.signupIp),
          signupUserAgent: firstSignup(subscriptions.signupUserAgent),
          signupSource: firstSignup(subscriptions.signupSource),
          signedUpAt: firstSignup(subscriptions.signedUpAt),
          provider: firstSignup(subscriptions.provider),
          consentHash: firstSignup(subscriptions.consentHash),
          // A pending signup expires CONFIRM_TTL_HOURS after its first mail, however often it is repeated.
          expiresAt: firstSignup(subscriptions.expiresAt),
          firstMailAt: pendingKeeps(subscriptions.firstMailAt),
          remindedAt: pendingKeeps(subscriptions.remindedAt),
          mailboxHash: sql`excluded.mailbox_hash`,
          updatedAt: sql`excluded.updated_at`,
          confirmedAt: null,
          confirmSeq: null,
        },
        setWhere: inArray(subscriptions.state, ['pending', 'unsubscribed', 'suppressed']),
      })
      .prepare(),
    db
      .update(addresses)
      .set({
        mail3At: sql`${addresses.mail2At}`,
        mail2At: sql`${addresses.mail1At}`,
        mail1At: sql`${p('now')}`,
        mailNonce: sql`${p('mailNonce')}`,
      })
      .where(
        and(
          eq(addresses.key, p('mailboxHash')),
          // The same statement either way (same work whatever the state): skipping moves the bound.
          or(isNull(addresses.mail1At), lte(addresses.mail1At, p('cooldownBound'))),
          or(isNull(addresses.mail3At), lte(addresses.mail3At, p('windowBound'))),
          exists(
            db
              .select({ one: sql`1` })
              .from(subscriptions)
              .where(
                and(
                  eq(subscriptions.listId, p('listId')),
                  eq(subscriptions.key, p('key')),
                  eq(subscriptions.state, 'pending'),
                  eq(subscriptions.signupId, p('mailSignupId')),
                  eq(subscriptions.updatedAt, p('now')),
                ),
              ),
          ),
        ),
      )
      .prepare(),
    queueAdmittedMail(db, { kind: 'confirmation', mailAt: p('mailAt'), now: p('now'), mailboxHash: p('mailboxHash'), nonce: p('mailNonce') }, and(eq(subscriptions.listId, p('listId')), eq(subscriptions.key, p('key'))))
      .prepare(),
  ];
});

/**
 * The whole signup as one atomic group of statements, the same group for every state;
 * the WHERE clauses decide what each one does:
 *  1. the mailbox row for the mail cap (not for suppressed mailboxes);
 *  2. the subscription: inserted, renewed (pending/unsubscribed/suppressed-then-lifted) or left alone;
 *  3. the cap: admits a mail only for a pending signup whose token we rendered, and only within
 *     one per 15 minutes (waived for a return from unsubscribed) and three per 24 hours per mailbox
 *     (the three newest mail times live on the mailbox row);
 *  4. the outbox job, only when (3) admitted it: the signup and its mail commit together.
 */
export async function writeSignup(atomic: Atomic, w: SignupWrite): Promise<void> {
  const { skipCooldown, ...rest } = w;
  const values: SignupValues = {
    ...rest,
    // The same statement either way (same work whatever the state): skipping moves the bound.
    cooldownBound: skipCooldown ? w.now : w.now - MAIL_COOLDOWN_MS,
    windowBound: w.now - MAIL_WINDOW_MS,
  };
  await atomic((db) => signupStatements(db).map((statement) => bound(statement, values)));
}

/**
 * The highest seq handed out so far, of a confirmation or of the changes feed (one counter for both).
 * `IS NOT NULL` lets SQLite read it from the partial subscriptions_confirm_seq index (one step).
 */
export const topSeq = sql`max((SELECT coalesce(max(${subscriptions.confirmSeq}), 0) FROM ${subscriptions} WHERE ${subscriptions.confirmSeq} IS NOT NULL), (SELECT coalesce(max(${changes.seq}), 0) FROM ${changes}))`;

export type ConfirmOutcome = 'confirmed' | 'already' | 'gone';

const confirmQueries = preparedPerDb((db) => ({
  confirm: db
    .update(subscriptions)
    .set({
      state: 'confirmed',
      confirmedAt: sql`${sql.placeholder('now')}`,
      // Never reused, even after the newest confirmation is erased or signs up again: the changes
      // feed only grows (erasure scrubs its rows, never deletes them), so its top seq is a floor.
      confirmSeq: sql`${topSeq} + 1`,
      confirmIp: sql`${sql.placeholder('ip')}`,
      confirmUserAgent: sql`${sql.placeholder('userAgent')}`,
      updatedAt: sql`${sql.placeholder('now')}`,
      expiresAt: null,
    })
    .where(and(eq(subscriptions.signupId, sql.placeholder('signupId')), eq(subscriptions.state, 'pending')))
    .returning({ listId: subscriptions.listId })
    .prepare(),
  current: db
    .select({ state: subscriptions.state, listId: subscriptions.listId })
    .from(subscriptions)
    .where(eq(subscriptions.signupId, sql.placeholder('signupId')))
    .prepare(),
}));

/**
 * Confirms the signup a token names; a repeat answers `already`, a superseded signup `gone`.
 * The UPDATE goes through `atomic` (on Node it joins the turn's group commit); the read that tells
 * a repeat from a superseded signup runs only when it changed nothing.
 */
export async function confirmSignup(
  ports: { db: Db; atomic: Atomic },
  signupId: string,
  evidence: { now: number; ip: string; userAgent: string | null },
): Promise<{ outcome: ConfirmOutcome; listId?: number }> {
  const q = confirmQueries(ports.db);
  const [row] = (await ports.atomic((db) => [bound(confirmQueries(db).confirm, { signupId, ...evidence }, 'get')])) as Array<{ listId: number } | undefined>;
  if (row) return { outcome: 'confirmed', listId: row.listId };
  const current = (await q.current.get({ signupId })) as { state: string; listId: number } | undefined;
  if (current?.state === 'confirmed') return { outcome: 'already', listId: current.listId };
  return { outcome: 'gone', listId: current?.listId };
}

/** Which subscriptions an unsubscribe reaches: one by its opaque token, or an address on one list or on every list. */
export type UnsubscribeTarget = { unsubToken: string } | { key: string; listId?: number };

const unsubscribeSet = (now: unknown, source: unknown) => ({
  state: 'unsubscribed' as const,
  unsubscribedAt: now as number,
  updatedAt: now as number,
  unsubscribeSource: source as string,
  expiresAt: null,
});

/** The link's unsubscribe (the hot one: every mailer's one-click header), prepared once per Db. */
const unsubscribeByTokenQuery = preparedPerDb((db) =>
  db
    .update(subscriptions)
    .set(unsubscribeSet(sql`${sql.placeholder('now')}`, sql`${sql.placeholder('source')}`))
    .where(and(eq(subscriptions.unsubToken, sql.placeholder('unsubToken')), inArray(subscriptions.state, ['pending', 'confirmed'])))
    .returning({ id: subscriptions.id, listId: subscriptions.listId })
    .prepare(),
);

/**
 * Unsubscribes the pending and confirmed subscriptions `target` names (others are left as they are,
 * so repeating it is harmless); the trigger writes `unsubscribed` to each feed. Answers the rows
 * changed. By token it goes through `atomic` (on Node, the turn's group commit).
 */
export async function unsubscribe(ports: { db: Db; atomic: Atomic }, target: UnsubscribeTarget, now: number, source: string): Promise<Array<{ id: number; listId: number }>> {
  if ('unsubToken' in target) {
    const [rows] = await ports.atomic((db) => [bound(unsubscribeByTokenQuery(db), { unsubToken: target.unsubToken, now, source }, 'all')]);
    return rows as Array<{ id: number; listId: number }>;
  }
  return ports.db
    .update(subscriptions)
    .set(unsubscribeSet(now, source))
    .where(
      and(
        // Every list named (all of them when none is) and `+state` kept out of the index choice, so
        // the (list, key) index finds the rows (not the export index, a scan of a list's confirmed).
        target.listId === undefined ? inArray(subscriptions.listId, ports.db.select({ id: lists.id }).from(lists)) : eq(subscriptions.listId, target.listId),
        eq(subscriptions.key, target.key),
        inArray(sql`+${subscriptions.state}`, ['pending', 'confirmed']),
      ),
    )
    .returning({ id: subscriptions.id, listId: subscriptions.listId })
    .all();
}

export async function findByUnsubToken(db: Db, token: string) {
  return db.select({ listId: subscriptions.listId }).from(subscriptions).where(eq(subscriptions.unsubToken, token)).get();
}

/** The state of an address on one list, or undefined when it is not on it. */
export async function stateOn(db: Db, listId: number, key: string) {
  return (await db.select({ state: subscriptions.state }).from(subscriptions).where(and(eq(subscriptions.listId, listId), eq(subscriptions.key, key))).get())?.state;
}

/** The address behind a signup id (what a "this wasn't me" token names). */
export async function findBySignupId(db: Db, signupId: string) {
  return db.select({ email: subscriptions.email, mailboxHash: subscriptions.mailboxHash }).from(subscriptions).where(eq(subscriptions.signupId, signupId)).get();
}

/** An address stored for a mailbox (any variant), for the suppression list's operators; undefined when none is. */
export async function emailOfMailbox(db: Db, mailboxHash: string): Promise<string | undefined> {
  return (await db.select({ email: subscriptions.email }).from(subscriptions).where(eq(subscriptions.mailboxHash, mailboxHash)).limit(1).get())?.email;
}

/** Every subscription of one mailbox (every variant of the address), with the list it is on. */
export async function subscriptionsOf(db: Db, mailboxHash: string) {
  return db
    .select({
      list: lists.slug,
      listName: lists.name,
      s: subscriptions,
      consentText: consentTexts.text,
      imported: { id: imports.publicId, mode: imports.mode, consentSource: imports.consentSource },
    })
    .from(subscriptions)
    .innerJoin(lists, eq(lists.id, subscriptions.listId))
    .leftJoin(consentTexts, eq(consentTexts.hash, subscriptions.consentHash))
    .leftJoin(imports, eq(imports.id, subscriptions.importId))
    .where(eq(subscriptions.mailboxHash, mailboxHash))
    .orderBy(asc(lists.slug), asc(subscriptions.key))
    .all();
}

/** Whether a mailbox has a subscription (in any state) on a list. */
export async function mailboxOnList(db: Db, listId: number, mailboxHash: string): Promise<boolean> {
  const row = await db.select({ id: subscriptions.id }).from(subscriptions).where(and(eq(subscriptions.listId, listId), eq(subscriptions.mailboxHash, mailboxHash))).limit(1).get();
  return row !== undefined;
}

/** Deletes pending signups past their expiry (CONFIRM_TTL_HOURS after their first mail left); answers how many. */
export async function purgeExpiredPending(db: Db, now: number): Promise<number> {
  // Not while its mail still waits (a flood may delay it): the expiry counts from the first mail sent.
  const mailWaiting = exists(
    db.select({ one: sql`1` }).from(outbox).where(and(eq(outbox.subscriptionId, subscriptions.id), inArray(outbox.state, ['queued', 'sending']))),
  );
  const expired = and(eq(subscriptions.state, 'pending'), lte(subscriptions.expiresAt, now), not(mailWaiting));
  // A renewed signup of someone who once unsubscribed (or was suppressed) has feed events that an
  // erasure must still find through this row: it goes back to `unsubscribed` instead of away.
  const withHistory = or(sql`${subscriptions.unsubscribedAt} IS NOT NULL`, sql`${subscriptions.suppressedAt} IS NOT NULL`);
  await db.update(subscriptions).set({ state: 'unsubscribed', expiresAt: null, updatedAt: now }).where(and(expired, withHistory));
  // Their mail goes first: outbox rows carry the address and would outlive the signup (a row in a
  // batch being sent stays until the batch is done, which then forgets it).
  await db
    .delete(outbox)
    .where(and(ne(outbox.state, 'sending'), inArray(outbox.subscriptionId, db.select({ id: subscriptions.id }).from(subscriptions).where(expired))));
  const rows = await db.delete(subscriptions).where(expired).returning({ id: subscriptions.id }).all();
  return rows.length;
}
