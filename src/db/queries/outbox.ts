import { and, asc, eq, gt, inArray, isNotNull, isNull, lte, min, notExists, or, type Placeholder, type SQL, sql } from 'drizzle-orm';
import { bound, preparedPerDb } from '../prepared';
import type { Atomic, Batch, Db, List, MailKind, OutboxMessage } from '../types';
import { addresses, outbox, outboxBatches, subscriptions } from '../schema';
import { findListById } from './lists';

/**
 * The columns of a queued mail for `INSERT INTO outbox SELECT ... FROM subscriptions` (a signup's
 * confirmation, a reminder, an import's paced confirmation): rendered when sent, due at `due`.
 */
export const queuedMailColumns = (kind: MailKind, due: SQL, createdAt: SQL) => ({
  id: sql<number>`NULL`.as('id'),
  subscriptionId: subscriptions.id,
  listId: subscriptions.listId,
  to: subscriptions.email,
  kind: sql<MailKind>`${kind}`.as('kind'),
  message: sql`NULL`.as('message'),
  state: sql<'queued'>`'queued'`.as('state'),
  batchId: sql`NULL`.as('batch_id'),
  attempts: sql<number>`0`.as('attempts'),
  nextAttemptAt: sql<number>`${due}`.as('next_attempt_at'),
  createdAt: sql<number>`${createdAt}`.as('created_at'),
  sentAt: sql`NULL`.as('sent_at'),
  providerId: sql`NULL`.as('provider_id'),
  lastError: sql`NULL`.as('last_error'),
});

/** How long a drainer holds a batch: longer than a request may take (the mailers time out sooner). */
export const LEASE_MS = 60_000;

const unleased = (now: number | Placeholder) => or(isNull(outboxBatches.leasedUntil), lte(outboxBatches.leasedUntil, now));

/** The claim of claimBatch, prepared once per Db: the oldest due batch, or the one named. */
const claimQueries = preparedPerDb((db) => {
  const claim = (named: boolean) => {
    const now = sql.placeholder('now');
    const candidate = db
      .select({ id: outboxBatches.id })
      .from(outboxBatches)
      .where(and(eq(outboxBatches.state, 'open'), lte(outboxBatches.nextAttemptAt, now), unleased(now), named ? eq(outboxBatches.id, sql.placeholder('id')) : undefined))
      .orderBy(asc(outboxBatches.createdAt))
      .limit(1);
    return db
      .update(outboxBatches)
      .set({ leasedUntil: sql`${sql.placeholder('leasedUntil')}` })
      .where(and(inArray(outboxBatches.id, candidate), unleased(now)))
      .returning()
      .prepare();
  };
  return { oldest: claim(false), named: claim(true) };
});

/**
 * Takes the oldest open batch that is due and not held by another drainer, in one statement so two
 * drainers (Workers: a wake and the cron) never send the same batch at once. `id` limits it to one batch.
 * It goes through `atomic` like the batch's other writes: on the Node server the writer thread
 * writes it, so the event loop never waits for that thread's write lock (SQLite's busy wait sleeps
 * 1, 2, 5 ms and more, with every request on the event loop waiting too).
 */
export async function claimBatch(atomic: Atomic, now: number, id?: string): Promise<Batch | undefined> {
  const [row] = await atomic((tx) => {
    const q = claimQueries(tx);
    const values = { now, leasedUntil: now + LEASE_MS };
    return [id === undefined ? bound(q.oldest, values, 'get') : bound(q.named, { ...values, id }, 'get')];
  });
  return row as Batch | undefined;
}

/** Lets a batch go without sending it (stopping): it is due again at once. */
export async function releaseBatch(db: Db, id: string): Promise<void> {
  await db.update(outboxBatches).set({ leasedUntil: null }).where(eq(outboxBatches.id, id));
}

/** On a Node start the process owns the file: batches held by a killed predecessor are free again. */
export async function releaseAllLeases(db: Db): Promise<void> {
  await db.update(outboxBatches).set({ leasedUntil: null }).where(eq(outboxBatches.state, 'open'));
}

/** An open batch backing off (the provider failed or asked us to wait) holds back new batches too. */
const waiting = (now: number) => and(eq(outboxBatches.state, 'open'), gt(outboxBatches.attempts, 0), gt(outboxBatches.nextAttemptAt, now));

export async function isBackingOff(db: Db, now: number): Promise<boolean> {
  return !!(await db.select({ id: outboxBatches.id }).from(outboxBatches).where(waiting(now)).limit(1).get());
}

const dueMailQuery = preparedPerDb((db) =>
  db
    .select({
      id: outbox.id,
      kind: outbox.kind,
      to: outbox.to,
      message: outbox.message,
      subscriptionId: outbox.subscriptionId,
      listId: outbox.listId,
      subscription: {
        signupId: subscriptions.signupId,
        name: subscriptions.name,
        state: subscriptions.state,
        mailboxHash: subscriptions.mailboxHash,
        expiresAt: subscriptions.expiresAt,
        firstMailAt: subscriptions.firstMailAt,
      },
    })
    .from(outbox)
    .leftJoin(subscriptions, eq(subscriptions.id, outbox.subscriptionId))
    .where(and(eq(outbox.state, 'queued'), lte(outbox.nextAttemptAt, sql.placeholder('now'))))
    // In the order of outbox_due (state, next_attempt_at, id): the first `max` entries, read and
    // joined alone. Ordered by id alone, SQLite joined and sorted every due mail to keep 100: a
    // backlog of N queued mails (a signup spike) cost every batch N reads (bench/RESULTS.md, round 7).
    .orderBy(asc(outbox.nextAttemptAt), asc(outbox.id))
    .limit(sql.placeholder('max'))
    .prepare(),
);

/**
 * The first `max` queued mails to have become due (by due time, then id), with what rendering them
 * needs: their subscription (a test mail has none) and their list (null when it is gone), each list
 * read once for the batch rather than joined into every mail's row.
 */
export async function dueMails(db: Db, now: number, max: number) {
  const rows = await dueMailQuery(db).all({ now, max });
  const byId = new Map<number, List | undefined>();
  for (const { listId } of rows) if (listId !== null && !byId.has(listId)) byId.set(listId, await findListById(db, listId));
  // A left join answers an object of nulls for a missing subscription.
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    to: r.to,
    message: r.message,
    subscriptionId: r.subscriptionId,
    subscription: r.subscription?.signupId == null ? null : r.subscription,
    list: (r.listId === null ? undefined : byId.get(r.listId)) ?? null,
  }));
}
export type DueMail = Awaited<ReturnType<typeof dueMails>>[number];

/**
 * Puts mails into a new batch with its idempotency key, each with the message rendered for it,
 * committed before any request is made; mails that must not go (`withdrawn`) fail at once.
 * `state = 'queued'` again in each update: a mail suppressed (or claimed elsewhere) since the read stays out.
 */
export async function openBatch(
  atomic: Atomic,
  batchId: string,
  members: Array<{ id: number; message: OutboxMessage }>,
  withdrawn: Array<{ id: number; why: string }>,
  now: number,
): Promise<void> {
  await atomic((tx) => {
    const q = memberUpdates(tx);
    return [
      ...withdrawn.map((w) => bound(q.fail, { id: w.id, state: 'queued', lastError: w.why })),
      ...(members.length ? [tx.insert(outboxBatches).values({ id: batchId, idempotencyKey: `listgate-${batchId}`, nextAttemptAt: now, createdAt: now })] : []),
      ...members.map((m) => bound(q.claim, { id: m.id, batchId, message: JSON.stringify(m.message) })),
    ];
  });
}

/**
 * The per-mail updates of a batch, prepared once: a batch of a hundred built and wrote each
 * statement's SQL anew, on the event loop, twice a batch (bench/RESULTS.md, round 5).
 */
const memberUpdates = preparedPerDb((db) => {
  const p = (name: string) => sql`${sql.placeholder(name)}`;
  return {
    claim: db
      .update(outbox)
      // `message` is bound as its JSON text, which is how the column keeps it.
      .set({ state: 'sending', batchId: p('batchId'), message: p('message') })
      .where(and(eq(outbox.id, p('id')), eq(outbox.state, 'queued')))
      .prepare(),
    /** Gives a mail up, if it is still in `state`. */
    fail: db
      .update(outbox)
      .set({ state: 'failed', lastError: p('lastError') })
      .where(and(eq(outbox.id, p('id')), eq(outbox.state, p('state'))))
      .prepare(),
    /** A member the provider failed for good (whatever its state: the batch holds it). */
    failAnswered: db
      .update(outbox)
      .set({ state: 'failed', lastError: p('lastError'), attempts: p('attempts') })
      .where(eq(outbox.id, p('id')))
      .prepare(),
    sent: db
      .update(outbox)
      .set({ state: 'sent', sentAt: p('at'), providerId: p('providerId'), attempts: p('attempts'), lastError: null })
      .where(eq(outbox.id, p('id')))
      .prepare(),
  };
});

/**
 * A batch's members in a stable order, with whether each may still be mailed: its subscription
 * was suppressed or erased since it was queued (`withdrawn`). Mails queued without a subscription
 * (operators, benchmarks) are never withdrawn.
 */
export async function batchMembers(db: Db, batchId: string) {
  const rows = await db
    .select({ row: outbox, subscriptionId: subscriptions.id, subscriptionState: subscriptions.state })
    .from(outbox)
    .leftJoin(subscriptions, eq(subscriptions.id, outbox.subscriptionId))
    .where(and(eq(outbox.batchId, batchId), eq(outbox.state, 'sending')))
    .orderBy(asc(outbox.id))
    .all();
  return rows.map((r) => ({
    ...r.row,
    withdrawn: r.row.subscriptionId !== null && (r.subscriptionId === null || r.subscriptionState === 'suppressed'),
  }));
}
export type Member = Awaited<ReturnType<typeof batchMembers>>[number];

/** What became of each member of a batch after a request (or without one), written in one group. */
export type BatchOutcome = {
  batchId: string;
  /** CONFIRM_TTL_HOURS in ms: a pending signup expires this long after its first mail left. */
  ttlMs: number;
  /** Members given up before sending, with why. */
  dropped: Array<{ id: number; why: string }>;
  /** Members the provider answered for: its id, or an error that no retry will fix. */
  answered: Array<{ id: number; attempts: number } & ({ providerId: string } | { error: string })>;
  batch: { attempts: number; lastError: string | null };
  at: number;
};

/**
 * Settles a batch: dropped and answered members get their final state, the batch is done, and its
 * mails to subscriptions erased (or purged) while it was being sent are deleted: they were kept
 * only so an in-doubt retry could resend the identical body. A pending signup whose first mail
 * just left expires CONFIRM_TTL_HOURS from now; one whose mail could not be sent at all, from now too.
 */
export async function settleBatch(atomic: Atomic, o: BatchOutcome): Promise<void> {
  const sentIds = o.answered.filter((a) => 'providerId' in a).map((a) => a.id);
  const failedIds = [...o.dropped.map((d) => d.id), ...o.answered.filter((a) => 'error' in a).map((a) => a.id)];
  const ofMails = (tx: Db, ids: number[]) => tx.select({ id: outbox.subscriptionId }).from(outbox).where(inArray(outbox.id, ids));
  await atomic((tx) => {
    const q = memberUpdates(tx);
    return [
      ...(sentIds.length
        ? [
            tx
              .update(subscriptions)
              .set({ firstMailAt: o.at, expiresAt: o.at + o.ttlMs })
              .where(and(inArray(subscriptions.id, ofMails(tx, sentIds)), eq(subscriptions.state, 'pending'), isNull(subscriptions.firstMailAt))),
          ]
        : []),
      ...(failedIds.length
        ? [
            tx
              .update(subscriptions)
              .set({ expiresAt: o.at + o.ttlMs })
              .where(and(inArray(subscriptions.id, ofMails(tx, failedIds)), eq(subscriptions.state, 'pending'), isNull(subscriptions.firstMailAt))),
          ]
        : []),
      ...o.dropped.map((d) => bound(q.fail, { id: d.id, state: 'sending', lastError: d.why })),
      ...o.answered.map((a) =>
        'providerId' in a
          ? bound(q.sent, { id: a.id, at: o.at, providerId: a.providerId, attempts: a.attempts })
          : bound(q.failAnswered, { id: a.id, lastError: a.error, attempts: a.attempts }),
      ),
      tx.update(outboxBatches).set({ state: 'done', attempts: o.batch.attempts, leasedUntil: null, lastError: o.batch.lastError }).where(eq(outboxBatches.id, o.batchId)),
      tx
        .delete(outbox)
        .where(
          and(
            eq(outbox.batchId, o.batchId),
            isNotNull(outbox.subscriptionId),
            notExists(tx.select({ one: sql`1` }).from(subscriptions).where(eq(subscriptions.id, outbox.subscriptionId))),
          ),
        ),
    ];
  });
}

/**
 * Marks a batch in doubt under `idempotencyKey` right before its request (committed first: from
 * here a crash leaves it in doubt), failing the members dropped from it.
 */
export async function markInDoubt(atomic: Atomic, batchId: string, idempotencyKey: string, dropped: Array<{ id: number; why: string }>): Promise<void> {
  await atomic((tx) => [
    ...dropped.map((d) => tx.update(outbox).set({ state: 'failed', lastError: d.why }).where(and(eq(outbox.id, d.id), eq(outbox.state, 'sending')))),
    tx.update(outboxBatches).set({ inDoubt: true, idempotencyKey }).where(eq(outboxBatches.id, batchId)),
  ]);
}

/** A request that may succeed later: the batch backs off until `nextAttemptAt`, its members count the attempt. */
export async function scheduleRetry(
  atomic: Atomic,
  r: { batchId: string; mailIds: number[]; attempts: number; nextAttemptAt: number; inDoubt: boolean; error: string },
): Promise<void> {
  await atomic((tx) => [
    tx.update(outboxBatches)
      .set({ attempts: r.attempts, nextAttemptAt: r.nextAttemptAt, leasedUntil: null, inDoubt: r.inDoubt, lastError: r.error })
      .where(eq(outboxBatches.id, r.batchId)),
    tx.update(outbox).set({ attempts: sql`${outbox.attempts} + 1`, lastError: r.error }).where(inArray(outbox.id, r.mailIds)),
  ]);
}

/** When the drain loop has something to do next (ms epoch), or null when nothing waits at all. */
export async function nextDueAt(db: Db, now: number): Promise<number | null> {
  const open = await db
    .select({ at: sql<number | null>`min(max(${outboxBatches.nextAttemptAt}, coalesce(${outboxBatches.leasedUntil}, 0)))`.mapWith(Number) })
    .from(outboxBatches)
    .where(eq(outboxBatches.state, 'open'))
    .get();
  if (await isBackingOff(db, now)) return open?.at ?? null;
  const queued = await db.select({ at: min(outbox.nextAttemptAt) }).from(outbox).where(eq(outbox.state, 'queued')).get();
  const times = [open?.at, queued?.at].filter((t): t is number => typeof t === 'number');
  return times.length ? Math.min(...times) : null;
}

export type OutboxStats = {
  /** Waiting to be sent, including mails in a batch that is in flight or backing off. */
  queued: number;
  sent: number;
  /** Given up: rejected by the provider, suppressed before sending, or past the retry limits. */
  failed: number;
  /** Enqueue time of the oldest mail still waiting (ms epoch), null when none waits. */
  oldestQueuedAt: number | null;
};

/** Outbox counts for the whole installation; one grouped scan. */
export async function outboxStats(db: Db): Promise<OutboxStats> {
  const waitingMail = sql`${outbox.state} IN ('queued', 'sending')`;
  const row = await db
    .select({
      queued: sql<number>`coalesce(sum(CASE WHEN ${waitingMail} THEN 1 ELSE 0 END), 0)`.mapWith(Number),
      sent: sql<number>`coalesce(sum(CASE WHEN ${outbox.state} = 'sent' THEN 1 ELSE 0 END), 0)`.mapWith(Number),
      failed: sql<number>`coalesce(sum(CASE WHEN ${outbox.state} = 'failed' THEN 1 ELSE 0 END), 0)`.mapWith(Number),
      oldestQueuedAt: sql<number | null>`min(CASE WHEN ${waitingMail} THEN ${outbox.createdAt} END)`,
    })
    .from(outbox)
    .get();
  return { queued: row?.queued ?? 0, sent: row?.sent ?? 0, failed: row?.failed ?? 0, oldestQueuedAt: row?.oldestQueuedAt ?? null };
}

/** Queues a test mail of a list to an operator's address (no subscription: rendered with sample links). */
export async function queueTestMail(db: Db, m: { listId: number; to: string; now: number }): Promise<void> {
  await db.insert(outbox).values({ listId: m.listId, to: m.to, kind: 'test', nextAttemptAt: m.now, createdAt: m.now });
}

type Value = Placeholder | string | number;
type Text = Placeholder | string;

/**
 * The statement that queues a mail only when the mailbox's cap admitted it: the preceding update of
 * the cap row stamped it with `nonce`, so the insert finds the row (and the subscription `which`
 * names) only then. Values may be placeholders (a prepared group) or plain values.
 */
export function queueAdmittedMail(db: Db, v: { kind: 'confirmation' | 'reminder'; mailAt: Value; now: Value; mailboxHash: Text; nonce: Text }, which: SQL | undefined) {
  return db.insert(outbox).select(
    db
      .select(queuedMailColumns(v.kind, sql`${v.mailAt}`, sql`${v.now}`))
      .from(subscriptions)
      .innerJoin(addresses, eq(addresses.key, v.mailboxHash))
      .where(and(which, eq(addresses.mailNonce, v.nonce))),
  );
}
