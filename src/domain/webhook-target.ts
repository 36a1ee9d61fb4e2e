import ipaddr from 'ipaddr.js';

/**
 * Where outbound webhooks may go. In production (unless WEBHOOK_ALLOW_PRIVATE=1) only `https:`
 * targets on public addresses: never loopback, private, link-local, unique-local, carrier-grade
 * NAT, 0.0.0.0/8 or any other special-purpose range, however the address is written. In
 * development any http(s) target, so a receiver on localhost can be tried.
 */
export type TargetPolicy = { publicOnly: boolean };

export const targetPolicy = (config: { production: boolean; WEBHOOK_ALLOW_PRIVATE: boolean }): TargetPolicy => ({
  publicOnly: config.production && !config.WEBHOOK_ALLOW_PRIVATE,
});

/** An address a resolver answered (Node's dns.lookup shape). */
export type ResolvedAddress = { address: string; family: 4 | 6 };
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

/**
 * The special-purpose range an address is in ('loopback', 'private', 'uniqueLocal', ...), or null
 * for a public unicast address. IPv6 forms that carry an IPv4 address (IPv4-mapped, the NAT64
 * prefix 64:ff9b::/96, RFC 6145) are judged by that IPv4 address; other IPv6 transition ranges
 * (6to4, Teredo, local-use NAT64) are refused outright. Throws on text that is not an address.
 */
export function specialRange(address: string): string | null {
  let ip = ipaddr.parse(address.replace(/^\[|\]$/g, ''));
  if (ip.kind() === 'ipv6') {
    const v6 = ip as ipaddr.IPv6;
    const range = v6.range();
    const nat64 = range === 'rfc6052' && v6.parts[2] === 0;
    if (range === 'ipv4Mapped' || range === 'rfc6145' || nat64) {
      const [a, b] = v6.parts.slice(6);
      ip = new ipaddr.IPv4([a >> 8, a & 255, b >> 8, b & 255]);
    }
  }
  const range = ip.range();
  return range === 'unicast' ? null : range;
}

/** Whether `text` is an IP address in any notation ipaddr.js reads (the URL parser has already normalised hosts). */
export const isIpAddress = (text: string): boolean => ipaddr.isValid(text.replace(/^\[|\]$/g, ''));

/** Names that resolve to this machine by definition (RFC 6761): no resolver needs asking. */
const LOCAL_NAME = /(^|\.)localhost\.?$/i;

export type TargetRefusal = { code: string; message: string };

/**
 * Checks a webhook URL without DNS: scheme, credentials, and a host that is an IP literal (in
 * any form: `new URL` turns decimal, octal and hex IPv4 hosts into dotted quads) or a local name.
 * Answers the parsed URL or why it is refused. Names are checked again when resolved (Node).
 */
export function checkTargetUrl(text: string, policy: TargetPolicy): { url: URL } | { refusal: TargetRefusal } {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { refusal: { code: 'invalid_url', message: 'not a URL' } };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { refusal: { code: 'invalid_url', message: 'only http: and https: URLs' } };
  if (url.username || url.password) return { refusal: { code: 'credentials_in_url', message: 'no user or password in the URL: verify the signature instead' } };
  url.hash = '';
  if (!policy.publicOnly) return { url };
  if (url.protocol !== 'https:') return { refusal: { code: 'https_required', message: 'only https: targets in production (WEBHOOK_ALLOW_PRIVATE=1 allows http:)' } };
  const refusal = hostRefusal(url.hostname);
  return refusal ? { refusal } : { url };
}

/** Why a host may not be a target in production, or null when it may (a name is judged by what it resolves to). */
export function hostRefusal(hostname: string): TargetRefusal | null {
  if (LOCAL_NAME.test(hostname)) return { code: 'private_target', message: 'localhost is not a public address' };
  if (!isIpAddress(hostname)) return null;
  const range = specialRange(hostname);
  return range ? { code: 'private_target', message: `${hostname} is not a public address (${range})` } : null;
}

/** The first resolved address that may not be a target in production, as a refusal; null when all may. */
export function resolvedRefusal(hostname: string, addresses: ResolvedAddress[]): TargetRefusal | null {
  if (addresses.length === 0) return { code: 'unresolvable', message: `${hostname} has no address` };
  for (const a of addresses) {
    const range = specialRange(a.address);
    if (range) return { code: 'private_target', message: `${hostname} resolves to ${a.address}, not a public address (${range})` };
  }
  return null;
}
