import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core';
import type * as schema from './schema';

/** Drizzle over better-sqlite3 (sync) or D1 (async); always `await` queries. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Db = BaseSQLiteDatabase<'sync' | 'async', any, typeof schema>;

/**
 * Runs statements so that all or none commit. `build` returns drizzle query builders
 * (not yet awaited) or prepared statements with their values (`bound()`, src/db/prepared.ts);
 * it must not await or branch on results: decide first, then write.
 * Answers what each statement's run() answered (rows, for `bound(..., 'get' | 'all')`).
 * better-sqlite3: one savepoint in the turn's group transaction (src/db/group-commit.ts), answered
 * after its COMMIT. D1: one batch().
 */
export type Atomic = (build: (db: Db) => AtomicStatement[]) => Promise<unknown[]>;
export type AtomicStatement = { run: (...args: never[]) => unknown };

export type List = typeof schema.lists.$inferSelect;
export type ListSettings = Omit<typeof schema.lists.$inferInsert, 'id' | 'slug' | 'createdAt' | 'updatedAt' | `count${string}`>;
export type Subscription = typeof schema.subscriptions.$inferSelect;
export type SubscriptionState = Subscription['state'];
export type Suppression = typeof schema.suppressions.$inferSelect;
export type SuppressionReason = Suppression['reason'];
export type ApiKeyRow = typeof schema.apiKeys.$inferSelect;
export type Scope = ApiKeyRow['scopes'][number];
export type OutboxRow = typeof schema.outbox.$inferSelect;
export type Batch = typeof schema.outboxBatches.$inferSelect;
export type { ConfirmationMailText, MailKind, OutboxMessage } from './schema';
