import type { Command } from 'commander';
import { findList } from '../db/queries/lists';
import { FUNNEL_PROVIDERS } from '../domain/funnel';
import { listDailyStats, listFunnel, listStats } from '../services/stats';
import { CliFailure, out, systemClock, table, withDatabase } from './common';

const pct = (r: number | null) => (r === null ? '-' : `${(r * 100).toFixed(1)} %`);
const duration = (s: number | null) => (s === null ? '-' : s < 90 ? `${s} s` : s < 5400 ? `${Math.round(s / 60)} min` : `${(s / 3600).toFixed(1)} h`);

/** `listgate stats <list>`: counts, health, the confirmation funnel by provider and the last days, in the terminal. */
export function registerStats(program: Command): Command {
  return program
    .command('stats')
    .description("a list's counts, health, confirmation funnel (by mailbox provider) and daily activity")
    .argument('<list>', 'list slug')
    .option('--days <n>', 'days of the funnel and the daily rows (1-400)', (v) => Number(v), 30)
    .option('--json', 'print JSON')
    .action(async (slug: string, o: { days: number; json?: boolean }, cmd: Command) => {
      if (!Number.isInteger(o.days) || o.days < 1 || o.days > 400) cmd.error('error: --days is a whole number from 1 to 400', { exitCode: 2, code: 'commander.usage' });
      await withDatabase(async ({ db }) => {
        const list = await findList(db, slug);
        if (!list) throw new CliFailure(`no list "${slug}"`);
        const deps = { db, clock: systemClock };
        const [stats, funnel, daily] = await Promise.all([listStats(deps, list), listFunnel(deps, list, o.days), listDailyStats(deps, list, o.days)]);
        if (o.json) return out(JSON.stringify({ counts: stats.counts, health: stats.health, funnel, daily }, null, 2));
        const { counts, health } = stats;
        out(`${list.slug} (${list.name}): ${counts.confirmed} confirmed, ${counts.pending} pending, ${counts.unsubscribed} unsubscribed, ${counts.suppressed} suppressed`);
        out(`health (30 days): ${health.status}; bounces ${pct(health.bounce.rate)} (${health.bounce.status}), complaints ${pct(health.complaint.rate)} (${health.complaint.status})\n`);
        out(`signups of the last ${o.days} days: ${funnel.signups}, mailed ${funnel.mails_sent}, confirmed ${funnel.confirmed} (${pct(funnel.confirmation_rate)}), median time to confirm ${duration(funnel.median_seconds_to_confirm)}`);
        out(table([['PROVIDER', 'SIGNUPS', 'CONFIRMED', 'RATE'], ...FUNNEL_PROVIDERS.map((p) => [p, `${funnel.by_provider[p].signups}`, `${funnel.by_provider[p].confirmed}`, pct(funnel.by_provider[p].confirmation_rate)])]));
        out(`\n${table([['DATE', 'SIGNUPS', 'CONFIRMED', 'UNSUBSCRIBED', 'BOUNCED', 'COMPLAINED'], ...daily.map((d) => [d.date, `${d.signups}`, `${d.confirmed}`, `${d.unsubscribed}`, `${d.bounced}`, `${d.complained}`])])}`);
      });
    });
}
