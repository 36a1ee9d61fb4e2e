import { createRoute } from '@hono/zod-openapi';
import * as z from 'zod';
import type { RateResult } from '../../domain/health';
import { requireList } from '../../middleware/list';
import { FUNNEL_PROVIDERS, type FunnelProvider } from '../../domain/funnel';
import { listImports } from '../../services/import';
import { listDailyStats, listFunnel, readListStats } from '../../services/stats';
import { ImportSummary } from './imports';
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

const ratio = z.number().nullable().openapi({ description: '0 to 1; null when nothing was counted.' });
const ProviderFunnel = z.object({ signups: count, confirmed: count, confirmation_rate: ratio });
const Funnel = z
  .object({
    days: count,
    signups: count,
    mails_sent: count.openapi({ description: 'Signups whose first confirmation mail left.' }),
    confirmed: count,
    confirmation_rate: ratio,
    median_seconds_to_confirm: z.number().nullable().openapi({ description: 'From the first mail to the confirmation, approximate (from buckets); null before any confirmation.' }),
    by_provider: z.object(Object.fromEntries(FUNNEL_PROVIDERS.map((p) => [p, ProviderFunnel])) as Record<FunnelProvider, typeof ProviderFunnel>),
  })
  .openapi('Funnel', { description: 'The signups made in the last `days` UTC days (imports are no signups), by cohort: what became of them.' });

const daysQuery = z.object({
  days: z.coerce.number().int().min(1).max(400).default(30).openapi({ description: 'UTC days, today included; at most 400.' }),
});

const Daily = z
  .object({
    data: z.array(
      z.object({
        date: z.string().openapi({ format: 'date' }),
        signups: count,
        confirmed: count,
        unsubscribed: count,
        bounced: count.openapi({ description: 'Hard and soft bounces.' }),
        complained: count,
      }),
    ),
  })
  .openapi('DailyStats', { description: 'One row per UTC day, oldest first, days without activity included.' });

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
    funnel: Funnel,
    imports: z.array(ImportSummary).openapi({ description: 'The last 5 imports (imported rows are no signups: they show here), with whether a reconfirm import\'s mail is held back for its bounce or complaint rate.' }),
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
    request: { params: listParam, query: daysQuery },
    responses: { 200: jsonAnswer(Stats, 'The stats.'), ...problems(404, 422) },
  }),
  async (c) => {
    const list = await requireList(c);
    const { days } = c.req.valid('query');
    const [s, funnel, imports] = await Promise.all([readListStats(c.get('deps'), list), listFunnel(c.get('deps'), list, days), listImports(c.get('deps'), list, 5)]);
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
        funnel,
        imports,
      },
      200,
    );
  },
).openapi(
  createRoute({
    method: 'get',
    path: '/{list}/stats/daily',
    summary: 'Daily activity of a list',
    description: 'One row per UTC day of the last `days`: signups, confirmed, unsubscribed, bounced, complained.',
    tags: ['Lists'],
    ...keyed({ scope: 'admin' }),
    request: { params: listParam, query: daysQuery },
    responses: { 200: jsonAnswer(Daily, 'The days.'), ...problems(404, 422) },
  }),
  async (c) => {
    const list = await requireList(c);
    return c.json({ data: await listDailyStats(c.get('deps'), list, c.req.valid('query').days) }, 200);
  },
);
