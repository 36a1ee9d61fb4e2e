import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boundedCache } from '../../src/domain/bounded-cache';
import { nodeMxLookup } from '../../src/mail/mx';
import { startDnsServer } from '../support/fakes/dns';

describe('boundedCache', () => {
  it('keeps at most `max` entries, dropping the least recently used', () => {
    const c = boundedCache<number>(2);
    c.set('a', 1);
    c.set('b', 2);
    expect(c.get('a')).toBe(1); // a is now the most recently used
    c.set('c', 3);
    expect(c.get('b')).toBeUndefined();
    expect([c.get('a'), c.get('c'), c.size]).toEqual([1, 3, 2]);
  });

  it('forgets an entry ttlMs after it was stored', () => {
    let now = 0;
    const c = boundedCache<string>(10, 1000, () => now);
    c.set('k', 'v');
    now = 999;
    expect(c.get('k')).toBe('v');
    now = 1000;
    expect(c.get('k')).toBeUndefined();
    expect(c.size).toBe(0);
  });

  it('stays at its size under a stream of new keys (what strangers can send)', () => {
    const c = boundedCache<number>(100);
    for (let i = 0; i < 100_000; i++) c.set(`domain-${i}.example`, i);
    expect(c.size).toBe(100);
  });
});

describe('the MX cache', () => {
  let dns: Awaited<ReturnType<typeof startDnsServer>>;
  beforeAll(async () => {
    dns = await startDnsServer({ 'one.test': { mx: ['mx.one.test'] }, 'two.test': { mx: ['mx.two.test'] }, 'three.test': { mx: ['mx.three.test'] } });
  });
  afterAll(() => dns?.close());

  it('holds at most maxEntries domains: the oldest is asked again', async () => {
    const mx = nodeMxLookup({ servers: [dns.address], timeoutMs: 500, maxEntries: 2 });
    for (const d of ['one.test', 'two.test', 'three.test', 'three.test', 'one.test']) expect(await mx(d)).toBe('ok');
    expect(dns.queries.filter((q) => q.startsWith('one.test/'))).toHaveLength(2);
    expect(dns.queries.filter((q) => q.startsWith('three.test/'))).toHaveLength(1);
  });
});
