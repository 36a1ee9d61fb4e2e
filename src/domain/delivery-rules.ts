import { parseAddress } from './address';
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

/**
 * The stored form and comparison key of an address a provider reports. Like a signup, except that
 * a likely typo (gmial.com) is still an address: mail to it bounced, so it must still be suppressed.
 * Undefined when the text is not an address at all.
 */
export function eventAddress(text: string): { email: string; key: string } | undefined {
  const parsed = parseAddress(text);
  if (parsed.ok) return { email: parsed.email, key: parsed.key };
  if (parsed.code !== 'typo' || !parsed.suggestion) return undefined;
  // Parse the corrected address to learn how the local part normalises, then put the real domain back.
  const local = parsed.suggestion.slice(0, parsed.suggestion.lastIndexOf('@'));
  const domain = text.trim().slice(text.trim().lastIndexOf('@') + 1);
  const fixed = parseAddress(parsed.suggestion);
  if (!fixed.ok) return undefined;
  const asciiDomain = new URL(`http://${domain}`).hostname;
  return { email: `${local}@${asciiDomain}`, key: `${fixed.key.slice(0, fixed.key.lastIndexOf('@'))}@${asciiDomain}` };
}
