import { describe, expect, it } from 'vitest';
import { randomTokens, timeOrderedTokens } from '../../src/domain/ids';

describe('time-ordered tokens', () => {
  it('have the lengths and alphabet of random tokens of the same sizes', () => {
    const ordered = timeOrderedTokens(Date.now(), 18, 24, 12);
    const random = randomTokens(18, 24, 12);
    expect(ordered.map((t) => t.length)).toEqual(random.map((t) => t.length));
    for (const t of ordered) expect(t).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('sort in the order of their times (as strings, the way an index compares them), across every digit', () => {
    const times = [0, 1, 63, 64, 65, 4095, 4096, 1_700_000_000_000, 1_700_000_000_001, 1_800_000_000_000, 2 ** 48 - 1];
    const tokens = times.map((t) => timeOrderedTokens(t, 24)[0]);
    expect([...tokens].sort()).toEqual(tokens);
    expect(new Set(tokens.map((t) => t.slice(0, 8))).size).toBe(times.length);
  });

  it('differ within one millisecond', () => {
    const now = Date.now();
    const tokens = new Set(Array.from({ length: 1000 }, () => timeOrderedTokens(now, 12)[0]));
    expect(tokens.size).toBe(1000);
  });
});
