import { inArray, min } from 'drizzle-orm';
import type { Db } from '../types';
import { outbox } from '../schema';
import { getSetting, putSetting } from './settings';

/**
 * What the outbox last heard from the mail provider, kept in `settings` so every process (the
 * server, `listgate doctor`, each Workers isolate) sees the same: the last accepted and the last
 * refused request, the refusal's text, and the times of the refusals in the last hour.
 */
export type TransportRecord = { okAt: number | null; failAt: number | null; error: string | null; failures: number[] };

const KEY = 'mail_transport';
export const EMPTY_TRANSPORT_RECORD: TransportRecord = { okAt: null, failAt: null, error: null, failures: [] };

export async function readTransportRecord(db: Db): Promise<TransportRecord> {
  const raw = await getSetting(db, KEY);
  if (!raw) return EMPTY_TRANSPORT_RECORD;
  try {
    return { ...EMPTY_TRANSPORT_RECORD, ...(JSON.parse(raw) as Partial<TransportRecord>) };
  } catch {
    return EMPTY_TRANSPORT_RECORD;
  }
}

export async function writeTransportRecord(db: Db, record: TransportRecord): Promise<void> {
  await putSetting(db, KEY, JSON.stringify(record));
}

/** When the oldest mail still waiting to be sent was queued (ms epoch), or null. Uses the outbox_due index. */
export async function oldestWaitingMailAt(db: Db): Promise<number | null> {
  const row = await db.select({ at: min(outbox.createdAt) }).from(outbox).where(inArray(outbox.state, ['queued', 'sending'])).get();
  return row?.at ?? null;
}
