import { describe, expect, it } from 'vitest';
import { RETRY_DELAYS_MS, retryDelayMs } from '../../src/domain/retry-schedule';
import { checkTargetUrl, resolvedRefusal, specialRange } from '../../src/domain/webhook-target';

describe('webhook target rules', () => {
  it('judges IPv6 forms that carry an IPv4 address by that address', () => {
    expect(specialRange('::ffff:8.8.8.8')).toBeNull();
    expect(specialRange('64:ff9b::808:808')).toBeNull();
    expect(specialRange('::ffff:192.168.0.1')).toBe('private');
    expect(specialRange('64:ff9b::7f00:1')).toBe('loopback');
    expect(specialRange('64:ff9b:1::1')).not.toBeNull(); // local-use NAT64
    expect(specialRange('2002:7f00:1::1')).toBe('6to4');
    expect(specialRange('2606:4700:4700::1111')).toBeNull();
  });

  it('allows public https targets in production and anything http(s) in development', () => {
    expect(checkTargetUrl('https://93.184.215.14/hook#frag', { publicOnly: true })).toEqual({ url: new URL('https://93.184.215.14/hook') });
    expect(checkTargetUrl('http://127.0.0.1:3000/hook', { publicOnly: false })).toHaveProperty('url');
    expect(checkTargetUrl('https://[::1]/', { publicOnly: true })).toHaveProperty('refusal.code', 'private_target');
    expect(resolvedRefusal('x.example', [])).toHaveProperty('code', 'unresolvable');
    expect(resolvedRefusal('x.example', [{ address: '93.184.215.14', family: 4 }])).toBeNull();
  });
});

describe('retry schedule', () => {
  it('keeps the first three retries within a minute and the whole schedule over 24 hours, at either end of the jitter', () => {
    for (const draw of [0, 1]) {
      const waits = RETRY_DELAYS_MS.map((_, i) => retryDelayMs(i + 1, () => draw)!);
      expect(waits.slice(0, 3).reduce((a, b) => a + b, 0)).toBeLessThan(30_000);
      expect(waits.reduce((a, b) => a + b, 0)).toBeGreaterThan(24 * 3_600_000);
    }
    expect(retryDelayMs(RETRY_DELAYS_MS.length + 1)).toBeNull();
  });
});
