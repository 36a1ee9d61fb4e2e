import type { ChangeType } from './webhook-payload';

/** The unsubscribe sources of changes that came from Resend (the inbound contact webhooks). */
export const FROM_RESEND_TOPIC = 'resend:topic';
export const FROM_RESEND_CONTACT = 'resend:contact';

/** What one sync delivery does to the Resend contact. */
export type SyncOperation =
  /** Contact in the segment, opted in to the topic, not unsubscribed contact-wide. */
  | { kind: 'upsert'; email: string; name: string | null; publicId: string }
  /** The topic opted out (the contact stays, so Resend keeps honouring it). */
  | { kind: 'opt_out'; email: string }
  /** Suppressed here (bounce, complaint, "not me"): the contact-wide `unsubscribed` flag. */
  | { kind: 'unsubscribe_contact'; email: string }
  /** Erased here: the contact is deleted. */
  | { kind: 'delete'; contactId: string }
  | { kind: 'none'; why: string };

/** A feed event and its subscription as they read when the delivery is sent. */
export type SyncEventNow = {
  type: ChangeType;
  state: 'pending' | 'confirmed' | 'unsubscribed' | 'suppressed' | null;
  email: string | null;
  name: string | null;
  publicId: string | null;
  unsubscribeSource: string | null;
  superseded: boolean;
  contactId: string | null;
};

/**
 * Decides what a delivery does. It mirrors the subscription's state now rather than the event's:
 * a delivery retried after later ones (a 429, an outage) must not undo them. An event followed by a
 * newer announced one of the same subscription does nothing (the newer one mirrors the state), and
 * an opt-out that came from Resend's topic is not echoed back (Resend already holds it).
 */
export function syncOperation(e: SyncEventNow): SyncOperation {
  if (e.type === 'erased') return e.contactId ? { kind: 'delete', contactId: e.contactId } : { kind: 'none', why: 'no contact was written for it' };
  if (e.superseded) return { kind: 'none', why: 'a newer event of the subscription follows' };
  if (e.state === null || e.email === null) return { kind: 'none', why: 'erased since: its erasure deletes the contact' };
  if (e.state === 'confirmed') return { kind: 'upsert', email: e.email, name: e.name, publicId: e.publicId ?? '' };
  if (e.state === 'suppressed') return { kind: 'unsubscribe_contact', email: e.email };
  if (e.unsubscribeSource === FROM_RESEND_TOPIC) return { kind: 'none', why: 'the opt-out came from Resend' };
  return { kind: 'opt_out', email: e.email };
}
