import { sql } from 'drizzle-orm';
import { index, integer, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { type ChangeType, changeTypes } from '../domain/webhook-payload';

/** Installation-wide values created once: the dev token secret, the erasure HMAC key. */
export const settings = sqliteTable('settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});

export type ConfirmationMailText = { subject?: string; intro?: string; button?: string };

export const lists = sqliteTable('lists', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  slug: text('slug').notNull().unique(),
  name: text('name').notNull(),
  from: text('from_addr'),
  language: text('language', { enum: ['en', 'ja'] }).notNull().default('en'),
  redirectPending: text('redirect_pending'),
  redirectConfirmed: text('redirect_confirmed'),
  allowedOrigins: text('allowed_origins', { mode: 'json' }).$type<string[]>().notNull().default(sql`'[]'`),
  turnstileSiteKey: text('turnstile_site_key'),
  turnstileSecret: text('turnstile_secret'),
  checkMx: integer('check_mx', { mode: 'boolean' }).notNull().default(false),
  blockDisposable: integer('block_disposable', { mode: 'boolean' }).notNull().default(false),
  /** The list's own words in its confirmation mail; listgate adds the button and links itself. */
  confirmationMail: text('confirmation_mail', { mode: 'json' }).$type<ConfirmationMailText>(),
  replyTo: text('reply_to'),
  mailFooter: text('mail_footer'),
  /** The wording shown under the forms; a signup keeps the hash of the version it agreed to. */
  consentText: text('consent_text'),
  consentHash: text('consent_hash'),
  /** One reminder to a pending signup this long after its first mail; null: no reminder. */
  reminderAfterHours: real('reminder_after_hours'),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
  // Kept exact by triggers (drizzle/0000 + triggers migration); never COUNT(*) at request time.
  countPending: integer('count_pending').notNull().default(0),
  countConfirmed: integer('count_confirmed').notNull().default(0),
  countUnsubscribed: integer('count_unsubscribed').notNull().default(0),
  countSuppressed: integer('count_suppressed').notNull().default(0),
});

/**
 * One row per mailbox across all lists: the per-mailbox mail cap lives here (the three most recent
 * confirmation-mail times, newest first). Keyed by the mailbox's keyed hash, never the address.
 */
export const addresses = sqliteTable('addresses', {
  key: text('key').primaryKey(),
  mail1At: integer('mail1_at'),
  mail2At: integer('mail2_at'),
  mail3At: integer('mail3_at'),
  /** Set by the cap update that admitted a mail; the outbox insert keys on it. */
  mailNonce: text('mail_nonce'),
});

export const subscriptionStates = ['pending', 'confirmed', 'unsubscribed', 'suppressed'] as const;
export type SubscriptionState = (typeof subscriptionStates)[number];

export const subscriptions = sqliteTable(
  'subscriptions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    /** The stable opaque id mailers see (export rows, changes events, webhooks); kept for the row's life. */
    publicId: text('public_id').notNull(),
    listId: integer('list_id').notNull().references(() => lists.id, { onDelete: 'cascade' }),
    email: text('email').notNull(),
    /** The address as typed, local part lower-cased: one row per key and list. */
    key: text('key').notNull(),
    /** Keyed hash of the mailbox (provider aliases folded): suppression, erasure and "this wasn't me" reach every variant. */
    mailboxHash: text('mailbox_hash').notNull(),
    name: text('name'),
    state: text('state', { enum: subscriptionStates }).notNull(),
    /** Names the signup a confirmation token was issued for; renewed on a signup after unsubscribe. */
    signupId: text('signup_id').notNull(),
    /** Opaque, kept for the life of the subscription: the export's unsubscribe link. */
    unsubToken: text('unsub_token').notNull(),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
    /** When the newest confirmation token expires; a pending row past it is purged. */
    expiresAt: integer('expires_at'),
    confirmedAt: integer('confirmed_at'),
    /** Position in confirmation order (export keyset). */
    confirmSeq: integer('confirm_seq'),
    unsubscribedAt: integer('unsubscribed_at'),
    suppressedAt: integer('suppressed_at'),
    signupIp: text('signup_ip'),
    signupUserAgent: text('signup_user_agent'),
    signupSource: text('signup_source'),
    confirmIp: text('confirm_ip'),
    confirmUserAgent: text('confirm_user_agent'),
    unsubscribeSource: text('unsubscribe_source'),
    /** When the current signup was made (the funnel's cohort); null for imported rows, which are no signups. */
    signedUpAt: integer('signed_up_at'),
    /** The mailbox provider of the address, as the funnel groups them (gmail, outlook, ..., other). */
    provider: text('provider'),
    /** When the first confirmation mail of the current signup left; the signup expires CONFIRM_TTL_HOURS after. */
    firstMailAt: integer('first_mail_at'),
    /** When the reminder was queued (or decided against); set at most once per signup. */
    remindedAt: integer('reminded_at'),
    /** The consent wording the person saw (consent_texts.hash). */
    consentHash: text('consent_hash'),
    /** The import that brought the row in (imports.id); its consent source is the row's evidence. */
    importId: integer('import_id'),
    /** The opt-in time the imported file gave for the row (evidence only: confirmed_at is the import's time). */
    optInAt: integer('opt_in_at'),
  },
  (t) => [
    uniqueIndex('subscriptions_list_key').on(t.listId, t.key),
    uniqueIndex('subscriptions_signup_id').on(t.signupId),
    uniqueIndex('subscriptions_unsub_token').on(t.unsubToken),
    uniqueIndex('subscriptions_public_id').on(t.publicId),
    index('subscriptions_mailbox').on(t.mailboxHash),
    index('subscriptions_export').on(t.listId, t.state, t.confirmSeq),
    // confirmSignup takes max(confirm_seq) + 1: without this index, a scan of every subscription per confirm.
    // Partial: only confirmed (and once-confirmed) rows carry a seq, so a signup adds no entry.
    index('subscriptions_confirm_seq').on(t.confirmSeq).where(sql`${t.confirmSeq} IS NOT NULL`),
    index('subscriptions_pending_expiry').on(t.state, t.expiresAt),
    index('subscriptions_pending_mail').on(t.state, t.firstMailAt),
    // Partial: signups from forms (nearly every row) carry no import and add no entry.
    index('subscriptions_import').on(t.importId).where(sql`${t.importId} IS NOT NULL`),
  ],
);

/** The changes feed. Written by triggers on subscriptions (and by erasure). */
export const changes = sqliteTable(
  'changes',
  {
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    listId: integer('list_id').notNull(),
    subscriptionId: integer('subscription_id'),
    /** The subscription's public id, kept after an erasure deletes the subscription. */
    publicId: text('public_id'),
    type: text('type', { enum: ['confirmed', 'unsubscribed', 'suppressed', 'erased'] }).notNull(),
    /**
     * Set on events of imported rows when the import did not ask to notify (`notify=1`): they are in
     * the feed, but pushes (webhooks, sender sync) pass them over.
     */
    silent: integer('silent', { mode: 'boolean' }).notNull().default(false),
    email: text('email'),
    at: integer('at').notNull(),
  },
  (t) => [index('changes_list_seq').on(t.listId, t.seq), index('changes_subscription').on(t.subscriptionId)],
);

export const suppressionReasons = ['hard_bounce', 'complaint', 'soft_bounce_limit', 'manual', 'erased', 'not_me'] as const;

/**
 * Global suppression list. `hash` is the keyed hash of the mailbox (rows from before mailboxes were
 * folded hold the hash of the address as typed: both are checked); `email` is dropped on erasure.
 */
export const suppressions = sqliteTable('suppressions', {
  hash: text('hash').primaryKey(),
  email: text('email'),
  reason: text('reason', { enum: suppressionReasons }).notNull(),
  source: text('source'),
  createdAt: integer('created_at').notNull(),
});

/** Delivery outcomes per list, for rates and the soft-bounce rule (address kept only as hash). */
export const deliveryEvents = sqliteTable(
  'delivery_events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    listId: integer('list_id'),
    hash: text('hash').notNull(),
    type: text('type', { enum: ['delivered', 'hard_bounce', 'soft_bounce', 'complaint'] }).notNull(),
    at: integer('at').notNull(),
  },
  (t) => [index('delivery_events_list_at').on(t.listId, t.at), index('delivery_events_hash').on(t.hash, t.type, t.at), index('delivery_events_at').on(t.at)],
);

/** Webhook deliveries already applied (svix-id, SNS MessageId). */
export const webhookReceipts = sqliteTable(
  'webhook_receipts',
  {
    id: text('id').primaryKey(),
    source: text('source').notNull(),
    receivedAt: integer('received_at').notNull(),
  },
  (t) => [index('webhook_receipts_received').on(t.receivedAt)],
);

export const mailKinds = ['confirmation', 'reminder', 'test'] as const;
export type MailKind = (typeof mailKinds)[number];

/**
 * Transactional outbox: one row per mail to send, written with the signup. It holds what to send
 * (which subscription, which kind of mail); the mail itself is rendered, from the list's settings at
 * that moment, when a batch takes the row, and kept with it so an in-doubt batch is resent identical.
 */
export const outbox = sqliteTable(
  'outbox',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    subscriptionId: integer('subscription_id'),
    listId: integer('list_id'),
    to: text('to_addr').notNull(),
    kind: text('kind', { enum: mailKinds }).notNull().default('confirmation'),
    /** The rendered mail (from, to, subject, html, text, headers) as JSON; null until a batch takes it. */
    message: text('message', { mode: 'json' }).$type<OutboxMessage>(),
    state: text('state', { enum: ['queued', 'sending', 'sent', 'failed'] }).notNull().default('queued'),
    batchId: text('batch_id'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: integer('next_attempt_at').notNull(),
    createdAt: integer('created_at').notNull(),
    sentAt: integer('sent_at'),
    providerId: text('provider_id'),
    lastError: text('last_error'),
  },
  (t) => [index('outbox_due').on(t.state, t.nextAttemptAt), index('outbox_batch').on(t.batchId)],
);

export type OutboxMessage = {
  from: string;
  to: string;
  replyTo?: string;
  subject: string;
  html: string;
  text: string;
  headers?: Record<string, string>;
  /** The list's slug, sent as a provider tag (SES `list`) so its bounces and complaints name the list. */
  list?: string;
};

/** A provider request in flight: its members and idempotency key are stored before the call. */
export const outboxBatches = sqliteTable('outbox_batches', {
  id: text('id').primaryKey(),
  idempotencyKey: text('idempotency_key').notNull(),
  state: text('state', { enum: ['open', 'done'] }).notNull().default('open'),
  attempts: integer('attempts').notNull().default(0),
  nextAttemptAt: integer('next_attempt_at').notNull(),
  createdAt: integer('created_at').notNull(),
  /** A drainer holds the batch until then (Workers may drain concurrently); a Node start clears it. */
  leasedUntil: integer('leased_until'),
  /**
   * Set before a request whose answer may not have come back (crash, timeout, 5xx): the provider may
   * hold this key, so the batch must go again unchanged. While unset, members may be pruned.
   */
  inDoubt: integer('in_doubt', { mode: 'boolean' }).notNull().default(false),
  lastError: text('last_error'),
}, (t) => [index('outbox_batches_due').on(t.state, t.nextAttemptAt)]);

export const apiKeys = sqliteTable('api_keys', {
  id: text('id').primaryKey(),
  prefix: text('prefix').notNull(),
  hash: text('hash').notNull().unique(),
  name: text('name'),
  scopes: text('scopes', { mode: 'json' }).$type<Scope[]>().notNull(),
  lists: text('lists', { mode: 'json' }).$type<string[] | null>(),
  createdAt: integer('created_at').notNull(),
  lastUsedAt: integer('last_used_at'),
  revokedAt: integer('revoked_at'),
});
export type Scope = 'export' | 'events' | 'admin';

export const auditLog = sqliteTable(
  'audit_log',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    at: integer('at').notNull(),
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    target: text('target'),
    detail: text('detail', { mode: 'json' }),
  },
  (t) => [index('audit_log_at').on(t.at), index('audit_log_target').on(t.target, t.at)],
);

/**
 * Operator console sessions. `id` is the SHA-256 of the cookie's secret (the table never holds a
 * usable session); `keyId` the api key it was opened with (or `ADMIN_TOKEN`, then `tokenHash` is the
 * SHA-256 of that token, so changing ADMIN_TOKEN ends its sessions). Checked on every request.
 */
export const adminSessions = sqliteTable(
  'admin_sessions',
  {
    id: text('id').primaryKey(),
    keyId: text('key_id').notNull(),
    tokenHash: text('token_hash'),
    /** The per-session CSRF token every console form carries. */
    csrf: text('csrf').notNull(),
    createdAt: integer('created_at').notNull(),
    lastSeenAt: integer('last_seen_at').notNull(),
    /** Absolute end, whatever the activity. */
    expiresAt: integer('expires_at').notNull(),
  },
  (t) => [index('admin_sessions_key').on(t.keyId), index('admin_sessions_expires').on(t.expiresAt)],
);

/** Token buckets for runtimes without shared memory (Workers); Node keeps them in memory. */
export const rateBuckets = sqliteTable('rate_buckets', {
  key: text('key').primaryKey(),
  tokens: real('tokens').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

/** The consent wordings people agreed to, by hash (subscriptions.consent_hash names one). */
export const consentTexts = sqliteTable('consent_texts', {
  hash: text('hash').primaryKey(),
  text: text('text').notNull(),
  createdAt: integer('created_at').notNull(),
});

/**
 * The confirmation funnel per list, signup day (cohort) and mailbox provider, kept by triggers:
 * signups, those whose first mail left, those confirmed, and how long confirming took in buckets
 * (t0..t11, see src/domain/funnel.ts), so stats read O(days) rows whatever the list size.
 */
export const funnelDaily = sqliteTable(
  'funnel_daily',
  {
    listId: integer('list_id').notNull(),
    day: integer('day').notNull(),
    provider: text('provider').notNull(),
    signups: integer('signups').notNull().default(0),
    mailsSent: integer('mails_sent').notNull().default(0),
    confirmed: integer('confirmed').notNull().default(0),
    t0: integer('t0').notNull().default(0),
    t1: integer('t1').notNull().default(0),
    t2: integer('t2').notNull().default(0),
    t3: integer('t3').notNull().default(0),
    t4: integer('t4').notNull().default(0),
    t5: integer('t5').notNull().default(0),
    t6: integer('t6').notNull().default(0),
    t7: integer('t7').notNull().default(0),
    t8: integer('t8').notNull().default(0),
    t9: integer('t9').notNull().default(0),
    t10: integer('t10').notNull().default(0),
    t11: integer('t11').notNull().default(0),
  },
  (t) => [uniqueIndex('funnel_daily_pk').on(t.listId, t.day, t.provider)],
);

/** Per list and UTC day: what the 30-day rates are summed from (kept by triggers). */
export const listDaily = sqliteTable(
  'list_daily',
  {
    listId: integer('list_id').notNull(),
    day: integer('day').notNull(),
    signups: integer('signups').notNull().default(0),
    confirmations: integer('confirmations').notNull().default(0),
    unsubscriptions: integer('unsubscriptions').notNull().default(0),
    delivered: integer('delivered').notNull().default(0),
    hardBounces: integer('hard_bounces').notNull().default(0),
    softBounces: integer('soft_bounces').notNull().default(0),
    complaints: integer('complaints').notNull().default(0),
  },
  (t) => [uniqueIndex('list_daily_pk').on(t.listId, t.day)],
);

/**
 * A consumer of the changes feed that pushes its events somewhere (an outbound webhook; the same
 * machinery serves any later push, such as a sender's contact sync). `cursor` is the last feed seq
 * turned into deliveries; a replay moves it back and starts a new `generation`, so the events it
 * sends again get new message ids. Which events it takes: `types` and, unless null, `lists` (slugs).
 */
export const pushConsumers = sqliteTable('push_consumers', {
  id: text('id').primaryKey(),
  kind: text('kind', { enum: ['webhook', 'resend_sync'] }).notNull(),
  types: text('types', { mode: 'json' }).$type<ChangeType[]>().notNull(),
  lists: text('lists', { mode: 'json' }).$type<string[] | null>(),
  cursor: integer('cursor').notNull().default(0),
  generation: integer('generation').notNull().default(0),
  createdAt: integer('created_at').notNull(),
  /** First failed attempt since the last success; a consumer failing long enough is disabled. */
  failingSince: integer('failing_since'),
  lastSuccessAt: integer('last_success_at'),
  lastFailureAt: integer('last_failure_at'),
  /** Set when it was disabled (failing for days); nothing is queued or sent for it until enabled again. */
  disabledAt: integer('disabled_at'),
  disabledReason: text('disabled_reason'),
});
export type { ChangeType };

/** An outbound webhook: where its consumer's events go, and the Standard Webhooks secret that signs them. */
export const webhooks = sqliteTable('webhooks', {
  id: text('id')
    .primaryKey()
    .references(() => pushConsumers.id, { onDelete: 'cascade' }),
  url: text('url').notNull(),
  /** `whsec_` + base64 of the key: it signs every delivery, so it is kept as it was shown once. */
  secret: text('secret').notNull(),
  createdBy: text('created_by').notNull(),
});

/**
 * A list's Resend destination (`PUT /v1/lists/{list}/sync`): its confirmed addresses are contacts in
 * `segmentId`, opted in to `topicId`. Its feed consumer (same id, kind `resend_sync`) takes the
 * list's events; deleting the list or the sync removes both.
 */
export const resendSyncs = sqliteTable('resend_syncs', {
  id: text('id')
    .primaryKey()
    .references(() => pushConsumers.id, { onDelete: 'cascade' }),
  listId: integer('list_id')
    .notNull()
    .unique()
    .references(() => lists.id, { onDelete: 'cascade' }),
  segmentId: text('segment_id').notNull(),
  topicId: text('topic_id').notNull(),
  createdBy: text('created_by').notNull(),
});

/**
 * The Resend contact id each synced subscription was written to, by the subscription's public id:
 * an erasure removes the address, and the `erased` event keeps only the public id, so this is how
 * the contact is found and deleted. Opaque ids only, no address.
 */
export const resendContacts = sqliteTable('resend_contacts', {
  publicId: text('public_id').primaryKey(),
  contactId: text('contact_id').notNull(),
  at: integer('at').notNull(),
});

/**
 * The push queue: one row per event a consumer must receive. The message id is drawn when the row
 * is made and kept across every retry (Standard Webhooks' `webhook-id`). Nothing personal is
 * stored here: the payload is built from the feed and the subscription when it is sent.
 */
export const pushDeliveries = sqliteTable(
  'push_deliveries',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    consumerId: text('consumer_id')
      .notNull()
      .references(() => pushConsumers.id, { onDelete: 'cascade' }),
    seq: integer('seq').notNull(),
    generation: integer('generation').notNull(),
    messageId: text('message_id').notNull(),
    type: text('type', { enum: changeTypes }).notNull(),
    state: text('state', { enum: ['queued', 'delivered', 'failed'] }).notNull().default('queued'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: integer('next_attempt_at').notNull(),
    /** A sender holds the row until then; a Node start frees every row (one server per database). */
    leasedUntil: integer('leased_until'),
    createdAt: integer('created_at').notNull(),
    finishedAt: integer('finished_at'),
    lastError: text('last_error'),
  },
  (t) => [
    uniqueIndex('push_deliveries_event').on(t.consumerId, t.generation, t.seq),
    index('push_deliveries_due').on(t.state, t.nextAttemptAt),
    index('push_deliveries_consumer').on(t.consumerId, t.state, t.nextAttemptAt),
    index('push_deliveries_finished').on(t.finishedAt),
  ],
);

/** Each attempt to deliver, for operators (GET /v1/webhooks/{id}/deliveries); purged after a while. */
export const pushAttempts = sqliteTable(
  'push_attempts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    consumerId: text('consumer_id')
      .notNull()
      .references(() => pushConsumers.id, { onDelete: 'cascade' }),
    deliveryId: integer('delivery_id').notNull(),
    messageId: text('message_id').notNull(),
    seq: integer('seq').notNull(),
    type: text('type', { enum: changeTypes }).notNull(),
    attempt: integer('attempt').notNull(),
    at: integer('at').notNull(),
    durationMs: integer('duration_ms').notNull(),
    /** The answer's status, or null when none came (refused, timeout, network error). */
    status: integer('status'),
    error: text('error'),
    /** The start of the answer's body, at most a few hundred characters. */
    excerpt: text('excerpt'),
    /** What became of the message after this attempt. */
    outcome: text('outcome', { enum: ['delivered', 'retrying', 'failed'] }).notNull(),
  },
  (t) => [index('push_attempts_consumer').on(t.consumerId, t.id), index('push_attempts_at').on(t.at)],
);

export const importModes = ['confirmed', 'reconfirm', 'suppress'] as const;
export type ImportMode = (typeof importModes)[number];

/**
 * One import of a file into a list (dry runs leave none). Its counters are written with each chunk,
 * in the same atomic group as the chunk's rows, so they always say what the list holds of it. For
 * `reconfirm`, the confirmation mails it queued, sent, and their bounces and complaints (kept by
 * triggers) decide whether its remaining mail is held back (`mail_held_at`).
 */
export const imports = sqliteTable(
  'imports',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    publicId: text('public_id').notNull().unique(),
    listId: integer('list_id').notNull(),
    mode: text('mode', { enum: importModes }).notNull(),
    /** How consent was collected (mode confirmed), kept as every imported row's evidence. */
    consentSource: text('consent_source'),
    /** Webhooks and sender sync hear of the imported rows (changes.silent unset). */
    notify: integer('notify', { mode: 'boolean' }).notNull().default(false),
    /** The key (or ADMIN_TOKEN, or `cli`) that ran it. */
    actor: text('actor').notNull(),
    /** `running` until the file's end (`done`), an error (`failed`) or a stop between chunks (`stopped`). */
    state: text('state', { enum: ['running', 'done', 'failed', 'stopped'] }).notNull().default('running'),
    rows: integer('rows').notNull().default(0),
    imported: integer('imported').notNull().default(0),
    skippedSuppressed: integer('skipped_suppressed').notNull().default(0),
    skippedErased: integer('skipped_erased').notNull().default(0),
    skippedUnsubscribed: integer('skipped_unsubscribed').notNull().default(0),
    skippedAlready: integer('skipped_already').notNull().default(0),
    skippedInvalid: integer('skipped_invalid').notNull().default(0),
    skippedDuplicate: integer('skipped_duplicate').notNull().default(0),
    mailsQueued: integer('mails_queued').notNull().default(0),
    mailsSent: integer('mails_sent').notNull().default(0),
    bounces: integer('bounces').notNull().default(0),
    complaints: integer('complaints').notNull().default(0),
    /** When its remaining confirmation mail was held back, and why (`bounce` or `complaint` rate). */
    mailHeldAt: integer('mail_held_at'),
    mailHeldReason: text('mail_held_reason', { enum: ['bounce', 'complaint'] }),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
    finishedAt: integer('finished_at'),
  },
  (t) => [index('imports_list').on(t.listId, t.createdAt)],
);
