/** One provider-neutral fact about a mail we sent, after the provider's signature was checked. */
export type DeliveryEvent = {
  type: 'delivered' | 'bounce' | 'complaint';
  email: string;
  bounceType?: 'permanent' | 'transient' | 'undetermined';
  /** ms since epoch, taken from the provider's event time (not our receive time) */
  at: number;
  providerMessageId?: string;
  list?: string;
};

/**
 * A signed (so genuine) payload whose shape we do not understand. Distinct from signature errors:
 * the route answers 400, and the provider's retries will not fix it.
 */
export class DeliveryPayloadError extends Error {
  readonly provider: 'resend' | 'ses';
  constructor(provider: 'resend' | 'ses', detail: string) {
    super(`malformed ${provider} event: ${detail}`);
    this.name = 'DeliveryPayloadError';
    this.provider = provider;
  }
}

/**
 * Providers echo recipients as written in the To header, e.g. `"Ann <x>" <ann@example.com>`;
 * the address is the last angle-bracketed part. Case is left alone: normalising is the
 * address module's job, so suppression and signup compare the same way.
 */
export function extractAddress(recipient: string): string {
  const angled = /<([^<>]*)>\s*$/.exec(recipient);
  return (angled ? angled[1] : recipient).trim();
}

// A Map, not an object literal: a payload value of "constructor" must not find Object.prototype.
const BOUNCE_TYPES = new Map<string, DeliveryEvent['bounceType']>([
  ['Permanent', 'permanent'],
  ['Transient', 'transient'],
]);

/** SES's bounceType vocabulary, which Resend (sending through SES) passes on unchanged. */
export function bounceTypeOf(providerType: string): NonNullable<DeliveryEvent['bounceType']> {
  return BOUNCE_TYPES.get(providerType) ?? 'undetermined';
}

/** One event per recipient; optional fields left out rather than set to undefined, so events compare cleanly. */
export function eventsFor(recipients: string[], event: Omit<DeliveryEvent, 'email'>): DeliveryEvent[] {
  const fields = Object.fromEntries(Object.entries(event).filter(([, v]) => v !== undefined && v !== ''));
  return recipients
    .map(extractAddress)
    .filter((email) => email !== '')
    .map((email) => ({ ...fields, email }) as DeliveryEvent);
}

/**
 * ISO 8601 from both providers, but Resend has also used Postgres-style `2023-04-03 22:13:42.67+00`,
 * which Date.parse rejects.
 */
export function parseEventTime(value: string): number | undefined {
  let ms = Date.parse(value);
  if (Number.isNaN(ms)) {
    ms = Date.parse(value.trim().replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00'));
  }
  return Number.isNaN(ms) ? undefined : ms;
}

/** undefined for anything that is not base64, so callers can map it to their own error. */
export function base64ToBytes(b64: string): Uint8Array<ArrayBuffer> | undefined {
  try {
    return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}
