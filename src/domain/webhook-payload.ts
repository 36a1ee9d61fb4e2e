/** The event types of the changes feed (`changes.type`). */
export const changeTypes = ['confirmed', 'unsubscribed', 'suppressed', 'erased'] as const;
export type ChangeType = (typeof changeTypes)[number];

/** The public names of the feed's event types. */
export const WEBHOOK_EVENTS = {
  confirmed: 'subscriber.confirmed',
  unsubscribed: 'subscriber.unsubscribed',
  suppressed: 'subscriber.suppressed',
  erased: 'subscriber.erased',
} as const satisfies Record<ChangeType, string>;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[ChangeType];

export const webhookEventNames = Object.values(WEBHOOK_EVENTS) as [WebhookEvent, ...WebhookEvent[]];
export const changeTypeOf = (event: WebhookEvent): ChangeType => (Object.keys(WEBHOOK_EVENTS) as ChangeType[]).find((t) => WEBHOOK_EVENTS[t] === event)!;

/** A feed event as it reads when it is sent (see feedEvent): what an erasure removed is null. */
export type EventNow = {
  seq: number;
  type: ChangeType;
  id: string | null;
  email: string | null;
  at: number;
  list: string;
  name: string | null;
  confirmedAt: number | null;
  unsubToken: string | null;
};

export type WebhookPayload = {
  type: WebhookEvent;
  timestamp: string;
  data: {
    list: string;
    id: string | null;
    seq: number;
    email: string | null;
    name: string | null;
    confirmed_at: string | null;
    unsubscribe_url: string | null;
  };
};

/**
 * The body of a delivery, built when it is sent: `timestamp` is when the event happened, `data.seq`
 * its position in the feed (what a replay's `after` takes) and `data.id` the subscription's stable
 * id (as in the export). `subscriber.erased` carries no address, no name and no link, and neither
 * does any event of an address erased before it was sent.
 */
export function webhookPayload(e: EventNow, publicUrl: string): WebhookPayload {
  const personal = e.type !== 'erased' && e.email !== null;
  return {
    type: WEBHOOK_EVENTS[e.type],
    timestamp: new Date(e.at).toISOString(),
    data: {
      list: e.list,
      id: e.id,
      seq: e.seq,
      email: personal ? e.email : null,
      name: personal ? e.name : null,
      confirmed_at: personal && e.confirmedAt !== null ? new Date(e.confirmedAt).toISOString() : null,
      unsubscribe_url: personal && e.unsubToken ? `${publicUrl}/unsubscribe?token=${e.unsubToken}` : null,
    },
  };
}
