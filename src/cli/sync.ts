import type { Command } from 'commander';
import { findList } from '../db/queries/lists';
import { ApiError } from '../errors';
import { pacedCall, resendSyncClient } from '../push/resend-sync';
import { syncPacer } from '../push/sync-pacer';
import { syncOf, syncView } from '../services/resend-sync';
import { syncDrift } from '../services/sync-drift';
import { CliFailure, out, systemClock, table, usage, withDatabase } from './common';

/** How long one call may wait for its turn while confirmation mail is due. */
const MAX_WAIT_MS = 10 * 60_000;

/**
 * `listgate sync <list>`: the list's Resend sync and its progress; `--dry-run` compares the list
 * with its segment and topic and lists the differences; `--apply` fixes them (the sync's own
 * operations, paced at RESEND_SYNC_PER_SECOND behind confirmation mail).
 */
export function registerSync(program: Command): Command {
  return program
    .command('sync')
    .description("a list's Resend contact sync: progress; --dry-run reports drift from Resend, --apply fixes it")
    .argument('<list>', 'list slug')
    .option('--dry-run', 'compare the list with its Resend segment and topic; change nothing')
    .option('--apply', 'compare, then fix every difference in Resend')
    .option('--json', 'print JSON')
    .action(async (slug: string, o: { dryRun?: boolean; apply?: boolean; json?: boolean }, cmd: Command) => {
      if (o.dryRun && o.apply) usage(cmd, '--dry-run and --apply exclude each other');
      await withDatabase(async ({ db, atomic }, config) => {
        const list = await findList(db, slug);
        if (!list) throw new CliFailure(`no list "${slug}"`);
        const deps = { db, atomic, clock: systemClock };
        try {
          if (!o.dryRun && !o.apply) {
            const v = await syncView(deps, await syncOf(deps, list));
            if (o.json) return out(JSON.stringify(v, null, 2));
            out(`${v.list} -> Resend segment ${v.segment_id}, topic ${v.topic_id}  ${v.status.toUpperCase()}`);
            out(`position ${v.position} of ${v.feed_head}; pending ${v.pending}, synced ${v.synced}, failed ${v.failed}; last success ${v.last_success_at ?? 'never'}`);
            if (v.disabled_reason) out(`disabled: ${v.disabled_reason}`);
            return;
          }
          const client = resendSyncClient(config);
          if (!client) throw new CliFailure('Resend contact sync needs RESEND_API_KEY');
          const pacer = syncPacer({ perSecond: config.RESEND_SYNC_PER_SECOND, maxWaitMs: MAX_WAIT_MS });
          const call = pacedCall(deps, pacer, config.mailTransport === 'resend');
          const report = await syncDrift(deps, client, call, list, { apply: !!o.apply });
          if (o.json) return out(JSON.stringify(report, null, 2));
          out(`${report.list}: ${report.confirmed_here} confirmed here, ${report.contacts_there} contacts in segment ${report.segment_id}`);
          if (report.drift.length === 0) return out('no drift');
          out(table([['ISSUE', 'EMAIL', 'HERE'], ...report.drift.map((d) => [d.issue, d.email, d.here ?? '-'])]));
          out(o.apply ? `fixed ${report.fixed} of ${report.drift.length}` : `${report.drift.length} differences; "listgate sync ${slug} --apply" fixes them`);
        } catch (err) {
          if (err instanceof ApiError) throw new CliFailure(err.detail);
          throw err;
        }
      });
    });
}
