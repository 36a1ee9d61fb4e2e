import type { DeliveryEvent } from './delivery-events';

export type RecordedType = 'delivered' | 'hard_bounce' | 'soft_bounce' | 'complaint';
export type ImmediateReason = 'hard_bounce' | 'complaint';

/**
 * What one delivery event means for the list: the row it adds to the rates and whether it
 * suppresses the address at once. Only a Permanent bounce is a hard bounce; Transient and
 * Undetermined count towards the soft-bounce limit instead (SES's own advice: retry those).
 */
export function classifyEvent(event: Pick<DeliveryEvent, 'type' | 'bounceType'>): { recorded: RecordedType; suppress?: ImmediateReason } {
  if (event.type === 'delivered') return { recorded: 'delivered' };
  if (event.type === 'complaint') return { recorded: 'complaint', suppress: 'complaint' };
  if (event.bounceType === 'permanent') return { recorded: 'hard_bounce', suppress: 'hard_bounce' };
  return { recorded: 'soft_bounce' };
}
