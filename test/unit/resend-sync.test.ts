import { describe, expect, it } from 'vitest';
import { syncOperation, type SyncEventNow } from '../../src/domain/resend-sync';

const now = (e: Partial<SyncEventNow>): SyncEventNow => ({ type: 'confirmed', state: 'confirmed', email: 'a@example.com', name: null, publicId: 'sub_1', unsubscribeSource: null, superseded: false, contactId: null, ...e });

describe('what a sync delivery does', () => {
  it('mirrors the state now, not the event', () => {
    expect(syncOperation(now({ type: 'confirmed', state: 'unsubscribed' })).kind).toBe('opt_out');
    expect(syncOperation(now({ type: 'unsubscribed', state: 'confirmed' })).kind).toBe('upsert');
    expect(syncOperation(now({ type: 'suppressed', state: 'suppressed' })).kind).toBe('unsubscribe_contact');
  });
  it('does nothing for an event a newer one of the subscription follows, or one erased since', () => {
    expect(syncOperation(now({ superseded: true })).kind).toBe('none');
    expect(syncOperation(now({ state: null, email: null })).kind).toBe('none');
  });
  it('deletes an erased address by the contact id kept for it, or does nothing without one', () => {
    expect(syncOperation(now({ type: 'erased', state: null, email: null, contactId: 'c_1' }))).toEqual({ kind: 'delete', contactId: 'c_1' });
    expect(syncOperation(now({ type: 'erased', state: null, email: null })).kind).toBe('none');
  });
  it('does not echo an opt-out that came from Resend\'s topic, but writes one from the contact-wide flag', () => {
    expect(syncOperation(now({ type: 'unsubscribed', state: 'unsubscribed', unsubscribeSource: 'resend:topic' })).kind).toBe('none');
    expect(syncOperation(now({ type: 'unsubscribed', state: 'unsubscribed', unsubscribeSource: 'resend:contact' })).kind).toBe('opt_out');
  });
});
