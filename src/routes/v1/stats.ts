import { createRoute } from '@hono/zod-openapi';
import * as z from 'zod';
import type { RateResult } from '../../domain/health';
import { requireList } from '../../middleware/list';
import { readListStats } from '../../services/stats';
import { jsonAnswer, keyed, listParam, problems, v1Router } from './api';

const rateView = (r: RateResult) => ({ count: r.count, denominator: r.denominator, rate: r.rate, status: r.status, level: r.level });

const count = z.number().int();
const level = z.enum(['ok', 'warning', 'critical']);
const status = z.enum(['ok', 'warning', 'critical', 'low_volume']);
const Rate = z
  .object({
    count,
    denominator: count,
    rate: z.number().nullable().openapi({ description: 'count / denominator; null when the denominator is 0.' }),
    status: status.openapi({ description: 'The verdict to act on: `low_volume` below 200 delivered and hard bounces.' }),
    level: level.openapi({ description: 'The threshold verdict ignoring volume.' }),
  })
  .openapi('Rate');

const Stats = z
  .object({
    list: z.string(),
    counts: z.object({ pending: count, confirmed: count, unsubscribed: count, suppressed: count }),
    window: z.object({ days: count, from: z.string().openapi({ format: 'date' }), to: z.string().openapi({ format: 'date' }) }),
    signups: count,
    confirmations: count,
    delivered: count,
    hard_bounces: count,
    soft_bounces: count,
    complaints: count,
    confirmation_rate: z.number().nullable().openapi({ description: 'confirmations / signups in the window; null without signups.' }),
    volume: count.openapi({ description: 'delivered + hard bounces.' }),
    bounce: Rate,
    complaint: Rate,
    status,
    outbox: z.object({ queued: count, failed: count }),
  })
  .openapi('Stats', {
    description:
      'Counts by state, then sums over the `window` (30 UTC days, today included). `bounce` is hard bounces / (delivered + hard bounces), warning at 5 %, critical at 10 %; `complaint` is complaints / delivered, warning at 0.1 %, critical at 0.5 %.',
  });

/**
 * Counts by state (trigger-kept counters) and 30-day rates with their health status at the SES
 * thresholds: bounce = hard bounces / (delivered + hard bounces), complaint = complaints / delivered,
 * `low_volume` below 200 of those. The contract lists stats under Operators: scope `admin`.
 */
export const statsRoutes = v1Router().openapi(
  createRoute({
    method: 'get',
    path: '/{list}/stats',
    summary: 'Counts and health of a list',
    description: 'Counts by state, and the last 30 UTC days: totals, confirmation rate, bounce and complaint rates with their health status at the SES thresholds.',
    tags: ['Lists'],
    ...keyed({ scope: 'admin' }),
    request: { params: listParam },
    responses: { 200: jsonAnswer(Stats, 'The stats.'), ...problems(404) },
  }),
  async (c) => {
    const list = await requireList(c);
    const s = await readListStats(c.get('deps'), list);
    const { health } = s;
    return c.json(
      {
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
      },
      200,
    );
  },
);
