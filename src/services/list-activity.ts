import type { Deps } from '../deps';
import type { List } from '../db/types';
import { auditOf } from '../db/queries/audit';
import { latestChanges } from '../db/queries/changes';

export type ListChange = Awaited<ReturnType<typeof latestChanges>>[number];
export type ListHistoryEntry = Awaited<ReturnType<typeof auditOf>>[number];

/** What happened on a list lately, as its mailers see it in the changes feed: newest first. */
export const recentListChanges = (deps: Pick<Deps, 'db'>, list: List, limit = 20): Promise<ListChange[]> => latestChanges(deps.db, list.id, limit);

/** Who did what to a list (created, replaced its settings, sent a test), from the audit log: newest first. */
export const listHistory = (deps: Pick<Deps, 'db'>, list: List, limit = 10): Promise<ListHistoryEntry[]> => auditOf(deps.db, list.slug, limit);
