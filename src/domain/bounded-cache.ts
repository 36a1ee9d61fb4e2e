export type BoundedCache<V> = { get(key: string): V | undefined; set(key: string, value: V): void; readonly size: number };

/**
 * A cache that never grows past `max` entries (the least recently used goes first) and forgets an
 * entry `ttlMs` after it was stored. For caches filled from what strangers send (domains of signup
 * addresses, certificate URLs in webhooks), which must not grow without end.
 */
export function boundedCache<V>(max: number, ttlMs = Infinity, now: () => number = () => Date.now()): BoundedCache<V> {
  const entries = new Map<string, { value: V; at: number }>();
  return {
    get(key) {
      const entry = entries.get(key);
      if (!entry) return undefined;
      entries.delete(key);
      if (now() - entry.at >= ttlMs) return undefined;
      entries.set(key, entry); // most recently used last
      return entry.value;
    },
    set(key, value) {
      entries.delete(key);
      entries.set(key, { value, at: now() });
      if (entries.size > max) entries.delete(entries.keys().next().value!);
    },
    get size() {
      return entries.size;
    },
  };
}
