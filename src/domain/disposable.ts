// The package's own helpers require() the JSON and rebuild a Set on every call; importing the
// data file directly lets esbuild/wrangler inline it for Workers and needs no fs or require.
import blocklist from 'disposable-email-domains-js/dist/dict/disposable_email_blocklist.json';

let domains: Set<string> | undefined;

/**
 * True when the domain, or any parent of it (sub.mailinator.com), is a known throwaway-mail
 * domain. Expects an ASCII (punycode) domain, as produced by parseAddress.
 */
export function isDisposableDomain(domain: string): boolean {
  // Built on first use: most requests never ask, and the list has thousands of entries.
  domains ??= new Set(blocklist as string[]);
  const labels = domain.trim().toLowerCase().replace(/\.$/, '').split('.');
  // Stop before the bare TLD: the list names registrable domains, never a suffix alone.
  for (let i = 0; i < labels.length - 1; i++) {
    if (domains.has(labels.slice(i).join('.'))) return true;
  }
  return false;
}
