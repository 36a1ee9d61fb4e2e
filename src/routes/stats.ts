import { Hono } from 'hono';
import type { AppEnv } from '../deps';
import { listStats, noteHealthStatus } from '../db/queries/stats';
import { requireKey } from '../middleware/auth';
import type { RateResult } from '../domain/health';
import { requireList } from './list-param';

export const statsRoutes = new Hono<AppEnv>();

// The contract lists stats under Operators: scope `admin` (or ADMIN_TOKEN).
statsRoutes.use('/v1/lists/:list/stats', requireKey({ scope: 'admin' }));

const rate = (r: RateResult) => ({ count: r.count, denominator: r.denominator, rate: r.rate, status: r.status, level: r.level });

/**
 * Counts by state (trigger-kept counters) and 30-day rates with their health status at the SES
 * thresholds: bounce = hard bounces / (delivered + hard bounces), complaint = complaints / delivered,
 * `low_volume` below 200 of those.
 */
statsRoutes.get('/v1/lists/:list/stats', async (c) => {
  const deps = c.get('deps');
  const list = await requireList(c);
  const s = await listStats(deps, list);
  await noteHealthStatus(deps, list, s.health);
  const { health } = s;
  return c.json({
    list: list.slug,
    counts: s.counts,
    window: s.window,
    ...s.totals,
    confirmation_rate: health.confirmation.rate,
    volume: health.volume,
    bounce: rate(health.bounce),
    complaint: rate(health.complaint),
    status: health.status,
    outbox: s.outbox,
  });
});
