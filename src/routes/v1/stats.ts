import { Hono } from 'hono';
import type { AppEnv } from '../../deps';
import type { RateResult } from '../../domain/health';
import { requireKey } from '../../middleware/auth';
import { requireList } from '../../middleware/list';
import { readListStats } from '../../services/stats';

const rateView = (r: RateResult) => ({ count: r.count, denominator: r.denominator, rate: r.rate, status: r.status, level: r.level });

/**
 * Counts by state (trigger-kept counters) and 30-day rates with their health status at the SES
 * thresholds: bounce = hard bounces / (delivered + hard bounces), complaint = complaints / delivered,
 * `low_volume` below 200 of those. The contract lists stats under Operators: scope `admin`.
 */
export const statsRoutes = new Hono<AppEnv>();

statsRoutes.get('/:list/stats', requireKey({ scope: 'admin' }), async (c) => {
  const list = await requireList(c);
  const s = await readListStats(c.get('deps'), list);
  const { health } = s;
  return c.json({
    list: list.slug,
    counts: s.counts,
    window: s.window,
    ...s.totals,
    confirmation_rate: health.confirmation.rate,
    volume: health.volume,
    bounce: rateView(health.bounce),
    complaint: rateView(health.complaint),
    status: health.status,
    outbox: s.outbox,
  });
});
