/**
 * Sender health rules over a 30-day window. Pure functions, no I/O.
 *
 * Denominators:
 *  - confirmation = confirmed / signups (null with no signups). Can exceed 1:
 *    a confirmation in the window may belong to a signup from before it.
 *  - bounce = hardBounces / (delivered + hardBounces), i.e. over every message
 *    that reached a receiving server's verdict, as the issue specifies.
 *  - complaint = complaints / delivered. A bounced message can never be
 *    reported as spam, so counting bounces in the denominator would make a
 *    list with many bounces look *better* on complaints. Using delivered only
 *    is the conservative choice (it can only raise the rate).
 *  - volume = delivered + hardBounces; below `minVolume` the verdict is
 *    `low_volume` because a handful of events swings the rate wildly.
 *
 * Thresholds are fractions (numerator/denominator) and comparisons are done by
 * cross-multiplying integers, so 10/200 is exactly 5 % and 1/1000 exactly 0.1 %
 * for any threshold (float `count >= t * volume` overshoots, e.g. 0.07 * 200 =
 * 14.000000000000002, which would call exactly 7 % "below").
 */

export interface HealthInput {
  signups30d: number;
  confirmed30d: number;
  delivered30d: number;
  hardBounces30d: number;
  complaints30d: number;
}

/** A rate threshold as an exact fraction, e.g. 5 % = { num: 5, den: 100 }. */
export interface Fraction {
  num: number;
  den: number;
}

export interface Thresholds {
  bounce: { warning: Fraction; critical: Fraction };
  complaint: { warning: Fraction; critical: Fraction };
  /** Minimum delivered + hardBounces before a rate verdict is given. */
  minVolume: number;
}

/** SES review/probation levels (bounce 5 %/10 %, complaints 0.1 %/0.5 %). */
export const DEFAULT_THRESHOLDS: Thresholds = Object.freeze({
  bounce: { warning: { num: 5, den: 100 }, critical: { num: 10, den: 100 } },
  complaint: { warning: { num: 1, den: 1000 }, critical: { num: 5, den: 1000 } },
  minVolume: 200,
});

export type RateLevel = 'ok' | 'warning' | 'critical';
export type HealthStatus = RateLevel | 'low_volume';

export interface RateResult {
  count: number;
  denominator: number;
  /** count / denominator for display; null when the denominator is 0. */
  rate: number | null;
  /** The verdict to act on: `low_volume` overrides the level below minVolume. */
  status: HealthStatus;
  /** Threshold verdict ignoring volume, so a tiny-but-awful sender is visible. */
  level: RateLevel;
}

export interface HealthReport {
  confirmation: { confirmed: number; signups: number; rate: number | null };
  volume: number;
  bounce: RateResult;
  complaint: RateResult;
  status: HealthStatus;
}

function assertCount(name: string, value: number): void {
  // Cross-multiplication is only exact for safe integers.
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${name} must be a non-negative integer, got ${value}`);
  }
}

/** count/den >= f, exactly. Requires den > 0. */
function atLeast(count: number, den: number, f: Fraction): boolean {
  return BigInt(count) * BigInt(f.den) >= BigInt(f.num) * BigInt(den);
}

function level(count: number, den: number, t: { warning: Fraction; critical: Fraction }): RateLevel {
  if (den === 0) return 'ok';
  if (atLeast(count, den, t.critical)) return 'critical';
  if (atLeast(count, den, t.warning)) return 'warning';
  return 'ok';
}

function rateResult(
  count: number,
  den: number,
  t: { warning: Fraction; critical: Fraction },
  lowVolume: boolean,
): RateResult {
  const lvl = level(count, den, t);
  return {
    count,
    denominator: den,
    rate: den === 0 ? null : count / den,
    status: lowVolume ? 'low_volume' : lvl,
    level: lvl,
  };
}

export function computeHealth(input: HealthInput, thresholds: Thresholds = DEFAULT_THRESHOLDS): HealthReport {
  for (const [k, v] of Object.entries(input)) assertCount(k, v as number);
  const { signups30d, confirmed30d, delivered30d, hardBounces30d, complaints30d } = input;

  const volume = delivered30d + hardBounces30d;
  const lowVolume = volume < thresholds.minVolume;
  const bounce = rateResult(hardBounces30d, volume, thresholds.bounce, lowVolume);
  const complaint = rateResult(complaints30d, delivered30d, thresholds.complaint, lowVolume);

  return {
    confirmation: {
      confirmed: confirmed30d,
      signups: signups30d,
      rate: signups30d === 0 ? null : confirmed30d / signups30d,
    },
    volume,
    bounce,
    complaint,
    status: overallStatus(bounce, complaint),
  };
}

const SEVERITY: Record<HealthStatus, number> = { ok: 0, low_volume: 1, warning: 2, critical: 3 };

/**
 * Worst status among the given rates or statuses. `low_volume` ranks above
 * `ok` (we can't vouch for the sender) but below real warnings.
 */
export function overallStatus(...items: Array<HealthStatus | Pick<RateResult, 'status'>>): HealthStatus {
  let worst: HealthStatus = 'ok';
  for (const item of items) {
    const s = typeof item === 'string' ? item : item.status;
    if (SEVERITY[s] > SEVERITY[worst]) worst = s;
  }
  return worst;
}

/** Confirmation mails of an import sent before its rates are judged: a handful of mails proves nothing. */
export const IMPORT_MIN_VOLUME = 50;

/**
 * Whether a reconfirm import's own mail must stop: its hard bounces or complaints over the mails
 * it sent reached the SES review level (bounce 5 %, complaints 0.1 %) once at least
 * IMPORT_MIN_VOLUME were sent. Null while it may go on.
 */
export function importMailVerdict(m: { sent: number; bounces: number; complaints: number }, thresholds: Thresholds = DEFAULT_THRESHOLDS): 'bounce' | 'complaint' | null {
  if (m.sent < IMPORT_MIN_VOLUME) return null;
  if (level(m.bounces, m.sent, thresholds.bounce) !== 'ok') return 'bounce';
  if (level(m.complaints, m.sent, thresholds.complaint) !== 'ok') return 'complaint';
  return null;
}
