import type { Deps } from '../deps';
import { type DeliveryWrite, isReceiptConflict, listIdBySlug, listIdsHolding, receiptExists, writeDeliveryEvents } from '../db/queries/delivery';
import { findListById } from '../db/queries/lists';
import { addressOnRecord } from '../domain/address';
import type { DeliveryEvent } from '../domain/delivery-events';
import { classifyEvent } from '../domain/delivery-rules';
import { DAY_MS } from '../domain/time';
import { checkImportMail } from './import-pacing';
import { mailboxHashes } from './mailbox';
import { listStats, noteHealthStatus } from './stats';

export type RecordOutcome = { outcome: 'applied' | 'duplicate'; events: number; listIds: number[] };

/**
 * Applies delivery events (already verified): each is counted in the rates of the lists that hold
 * the address (or only the list it names), hard bounces and complaints suppress at once, and soft
 * bounces suppress when they reach SOFT_BOUNCE_LIMIT within SOFT_BOUNCE_WINDOW_DAYS. A `receipt`
 * (svix-id, SNS MessageId) makes a replay a no-op. Touched lists get their health re-checked.
 */
export async function recordDeliveryEvents(
  deps: Deps,
  events: DeliveryEvent[],
  opts: { source: string; receipt?: { id: string; source: string } },
): Promise<RecordOutcome> {
  const { db, config } = deps;
  const now = deps.clock.now();
  if (opts.receipt && (await receiptExists(db, opts.receipt.id))) return { outcome: 'duplicate', events: 0, listIds: [] };
  const writes: DeliveryWrite[] = [];
  for (const event of events) {
    const address = addressOnRecord(event.email);
    if (!address) {
      deps.logger.warn('delivery event for something that is not an address; skipped', { source: opts.source, type: event.type });
      continue;
    }
    const named = event.list ? await listIdBySlug(db, event.list) : undefined;
    const { recorded, suppress } = classifyEvent(event);
    const softLimit = !suppress && recorded === 'soft_bounce' && config.SOFT_BOUNCE_LIMIT > 0;
    const { mailboxHash } = await mailboxHashes(deps, address.key);
    writes.push({
      email: address.email,
      hash: mailboxHash,
      at: event.at,
      recorded,
      listIds: named !== undefined ? [named] : await listIdsHolding(db, mailboxHash),
      suppress,
      softBounceLimit: softLimit ? { count: config.SOFT_BOUNCE_LIMIT, since: now - config.SOFT_BOUNCE_WINDOW_DAYS * DAY_MS } : undefined,
    });
  }
  if (!writes.length && !opts.receipt) return { outcome: 'applied', events: 0, listIds: [] };
  try {
    await writeDeliveryEvents(deps.atomic, writes, { source: opts.source, now, receipt: opts.receipt });
  } catch (err) {
    if (opts.receipt && isReceiptConflict(err)) return { outcome: 'duplicate', events: 0, listIds: [] };
    throw err;
  }
  const listIds = [...new Set(writes.flatMap((w) => w.listIds))];
  await checkHealth(deps, listIds);
  await checkImportMail(deps, listIds);
  return { outcome: 'applied', events: writes.length, listIds };
}

/** After events land, each touched list's health is recomputed so a change is logged when it happens. */
async function checkHealth(deps: Deps, listIds: number[]): Promise<void> {
  for (const id of listIds) {
    const list = await findListById(deps.db, id);
    if (list) await noteHealthStatus(deps, list, (await listStats(deps, list)).health);
  }
}
