import { describe, expect, it } from 'vitest';
import { computeHealth, DEFAULT_THRESHOLDS, importMailVerdict, overallStatus, type HealthInput } from '../../src/domain/health';

const base: HealthInput = { signups30d: 0, confirmed30d: 0, delivered30d: 0, hardBounces30d: 0, complaints30d: 0 };
const h = (over: Partial<HealthInput>) => computeHealth({ ...base, ...over });

describe('confirmation rate', () => {
  it('is null with no signups', () => {
    expect(h({}).confirmation.rate).toBeNull();
  });
  it('is confirmed / signups', () => {
    expect(h({ signups30d: 8, confirmed30d: 6 }).confirmation.rate).toBe(0.75);
  });
});

describe('bounce rate = hardBounces / (delivered + hardBounces)', () => {
  // Volume 200 in each row, so low_volume never kicks in.
  it.each([
    [9, 'ok'], // 4.5 %
    [10, 'warning'], // exactly 5 % is inclusive
    [11, 'warning'], // 5.5 %
    [19, 'warning'], // 9.5 %
    [20, 'critical'], // exactly 10 %
    [21, 'critical'],
  ] as const)('%i of 200 -> %s', (bounces, expected) => {
    const r = h({ delivered30d: 200 - bounces, hardBounces30d: bounces });
    expect(r.volume).toBe(200);
    expect(r.bounce.status).toBe(expected);
    expect(r.bounce.rate).toBeCloseTo(bounces / 200, 12);
  });

  it('exact at boundaries where `count >= threshold * volume` float math is off by an ulp', () => {
    // With a 7 % threshold, 0.07 * 200 = 14.000000000000002 so 14/200 would read as "below".
    const t = { ...DEFAULT_THRESHOLDS, bounce: { warning: { num: 7, den: 100 }, critical: { num: 50, den: 100 } } };
    expect(computeHealth({ ...base, delivered30d: 186, hardBounces30d: 14 }, t).bounce.status).toBe('warning');
    expect(computeHealth({ ...base, delivered30d: 187, hardBounces30d: 13 }, t).bounce.status).toBe('ok');
  });
});

describe('complaint rate = complaints / delivered', () => {
  it.each([
    [1, 1001, 'ok'], // just under 0.1 %
    [1, 1000, 'warning'], // exactly 0.1 %
    [1, 999, 'warning'],
    [4, 1000, 'warning'], // 0.4 %
    [5, 1001, 'warning'], // just under 0.5 %
    [5, 1000, 'critical'], // exactly 0.5 %
    [6, 1000, 'critical'],
    [0, 1000, 'ok'],
  ] as const)('%i complaints / %i delivered -> %s', (complaints, delivered, expected) => {
    const r = h({ delivered30d: delivered, complaints30d: complaints });
    expect(r.complaint.status).toBe(expected);
    expect(r.complaint.denominator).toBe(delivered);
  });

  it('excludes bounces from the denominator', () => {
    // 1 / 1000 delivered = 0.1 % -> warning; over 1100 it would be ok.
    const r = h({ delivered30d: 1000, hardBounces30d: 40, complaints30d: 1 });
    expect(r.complaint.rate).toBe(0.001);
    expect(r.complaint.status).toBe('warning');
  });
});

describe('volume', () => {
  it('zero volume: rates null, low_volume', () => {
    const r = h({});
    expect(r.volume).toBe(0);
    expect(r.bounce).toMatchObject({ rate: null, status: 'low_volume', level: 'ok' });
    expect(r.complaint).toMatchObject({ rate: null, status: 'low_volume', level: 'ok' });
    expect(r.status).toBe('low_volume');
  });

  it('199 is low volume, rates still reported with their level', () => {
    const r = h({ delivered30d: 150, hardBounces30d: 49, complaints30d: 1 });
    expect(r.volume).toBe(199);
    expect(r.bounce).toMatchObject({ status: 'low_volume', level: 'critical' });
    expect(r.bounce.rate).toBeCloseTo(49 / 199, 12);
    expect(r.complaint).toMatchObject({ status: 'low_volume', level: 'critical' });
    expect(r.status).toBe('low_volume');
  });

  it('200 (delivered + bounced) is enough volume', () => {
    const r = h({ delivered30d: 199, hardBounces30d: 1 });
    expect(r.bounce.status).toBe('ok');
    expect(r.status).toBe('ok');
  });

  it('bounces-only traffic has a 100 % bounce rate and no complaint rate', () => {
    const r = h({ hardBounces30d: 250 });
    expect(r.bounce).toMatchObject({ rate: 1, status: 'critical' });
    expect(r.complaint).toMatchObject({ rate: null, status: 'ok' });
    expect(r.status).toBe('critical');
  });
});

describe('overallStatus', () => {
  it('is the worst of its inputs', () => {
    expect(overallStatus()).toBe('ok');
    expect(overallStatus('ok', 'low_volume')).toBe('low_volume');
    expect(overallStatus('low_volume', 'warning')).toBe('warning');
    expect(overallStatus('warning', 'critical', 'ok')).toBe('critical');
  });
  it('accepts rate results', () => {
    const r = h({ delivered30d: 1000, hardBounces30d: 0, complaints30d: 5 });
    expect(overallStatus(r.bounce, r.complaint)).toBe('critical');
    expect(r.status).toBe('critical');
  });
});

describe('input validation', () => {
  it.each([-1, 1.5, Number.NaN])('rejects %s', (bad) => {
    expect(() => h({ delivered30d: bad })).toThrow(RangeError);
  });
  it('honours custom thresholds', () => {
    const t = { ...DEFAULT_THRESHOLDS, bounce: { warning: { num: 2, den: 100 }, critical: { num: 4, den: 100 } } };
    expect(computeHealth({ ...base, delivered30d: 196, hardBounces30d: 4 }, t).bounce.status).toBe('warning');
  });
});

describe('importMailVerdict: when a reconfirm import\'s own mail must stop', () => {
  it('waits for 50 mails, then stops at the SES review levels: 5 % bounces, 0.1 % complaints', () => {
    expect(importMailVerdict({ sent: 49, bounces: 20, complaints: 5 })).toBeNull();
    expect(importMailVerdict({ sent: 100, bounces: 4, complaints: 0 })).toBeNull();
    expect(importMailVerdict({ sent: 100, bounces: 5, complaints: 0 })).toBe('bounce');
    expect(importMailVerdict({ sent: 1000, bounces: 0, complaints: 1 })).toBe('complaint');
    expect(importMailVerdict({ sent: 1001, bounces: 0, complaints: 1 })).toBeNull();
  });
});
