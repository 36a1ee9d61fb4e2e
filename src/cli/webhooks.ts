import type { Command } from 'commander';
import type { Principal } from '../deps';
import { webhookEventNames, type WebhookEvent } from '../domain/webhook-payload';
import { ApiError } from '../errors';
import { systemResolver } from '../push/http-node';
import { createWebhook, enableWebhook, listWebhooks, removeWebhook, replayWebhook, webhookAttempts, webhookFor, webhookView } from '../services/webhooks';
import { CliFailure, collect, out, systemClock, table, usage, withDatabase } from './common';

/** The CLI acts as an operator on every list. */
const cli: Principal = { id: 'cli', scopes: ['admin'], lists: null };

/** The services' refusals (422, 404) as the CLI's failures (exit 1). */
const failing = (err: unknown): never => {
  if (err instanceof ApiError) throw new CliFailure(err.detail);
  throw err;
};

/** One line about a webhook that needs attention, or none. */
function attention(w: ReturnType<typeof webhookView>): string | null {
  if (w.status === 'disabled') return `DISABLED since ${w.disabled_at}: ${w.disabled_reason}. Nothing is sent; "listgate webhooks enable ${w.id}" sends what waited.`;
  if (w.status === 'failing') return `failing since ${w.failing_since}: attempts are retried; after WEBHOOK_DISABLE_AFTER_DAYS it is disabled.`;
  return null;
}

/** `listgate webhooks list|show|create|delete|enable|replay`: the same webhooks as /v1/webhooks. */
export function registerWebhooks(program: Command): Command {
  const hooks = program.command('webhooks').description('outbound webhooks: list them with their status, create, delete, enable, replay');

  hooks
    .command('list')
    .description('every webhook with its status (active, failing, disabled) and waiting deliveries')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      await withDatabase(async ({ db }) => {
        const rows = (await listWebhooks({ db }, cli)).map(webhookView);
        if (o.json) return out(JSON.stringify(rows, null, 2));
        if (rows.length === 0) return out('no webhooks');
        const head = ['ID', 'STATUS', 'PENDING', 'LAST SUCCESS', 'EVENTS', 'LISTS', 'URL'];
        out(table([head, ...rows.map((w) => [w.id, w.status.toUpperCase(), String(w.pending), w.last_success_at ?? '-', w.events.map((e) => e.replace('subscriber.', '')).join(','), w.lists?.join(',') ?? '*', w.url])]));
        for (const w of rows) if (attention(w)) process.stderr.write(`${w.id}: ${attention(w)}\n`);
      });
    });

  hooks
    .command('show')
    .description('one webhook: its status and its most recent delivery attempts')
    .argument('<id>', 'webhook id (wh_...)')
    .option('--json', 'print JSON')
    .action(async (id: string, o: { json?: boolean }) => {
      await withDatabase(async ({ db }) => {
        const w = webhookView(await webhookFor({ db }, cli, id).catch(failing));
        const recent = (await webhookAttempts({ db }, cli, id, 10)).data;
        if (o.json) return out(JSON.stringify({ ...w, recent_attempts: recent }, null, 2));
        out(`${w.id}  ${w.status.toUpperCase()}  ${w.url}\nevents: ${w.events.join(', ')}\nlists: ${w.lists?.join(', ') ?? 'every list'}\nposition: ${w.position}, waiting: ${w.pending}, last success: ${w.last_success_at ?? 'never'}`);
        const note = attention(w);
        if (note) out(note);
        if (recent.length) out(`\n${table([['AT', 'EVENT', 'SEQ', 'TRY', 'RESULT', 'OUTCOME'], ...recent.map((a) => [a.at ?? '', a.event, String(a.seq), String(a.attempt), a.error ?? String(a.status), a.outcome])])}`);
      });
    });

  hooks
    .command('create')
    .description('create a webhook; its signing secret is printed once')
    .argument('<url>', 'where deliveries are POSTed (https: on a public address in production)')
    .option('--event <event>', `${webhookEventNames.join(', ')} (repeatable); default: every event`, collect)
    .option('--list <slug>', 'only events of this list (repeatable); default: every list', collect, [] as string[])
    .option('--json', 'print JSON')
    .action(async (url: string, o: { event?: string[]; list: string[]; json?: boolean }, cmd: Command) => {
      const events = (o.event ?? webhookEventNames).map((e) => (e.startsWith('subscriber.') ? e : `subscriber.${e}`));
      const bad = events.filter((e) => !webhookEventNames.includes(e as WebhookEvent));
      if (bad.length) usage(cmd, `unknown event ${bad.map((e) => `"${e}"`).join(', ')}; use ${webhookEventNames.join(', ')}`);
      await withDatabase(async ({ db, atomic }, config) => {
        const input = { url, events: events as WebhookEvent[], lists: o.list.length ? o.list : null };
        const { row, secret } = await createWebhook({ db, atomic, clock: systemClock, config, resolveHost: systemResolver }, cli, input).catch(failing);
        if (o.json) return out(JSON.stringify({ ...webhookView(row), secret }, null, 2));
        out(`${secret}\n`);
        process.stderr.write(`created ${row.id} -> ${row.url}. The signing secret above is shown only now.\n`);
      });
    });

  hooks
    .command('delete')
    .description('delete a webhook; nothing more is sent to it')
    .argument('<id>', 'webhook id (wh_...)')
    .action(async (id: string) => {
      await withDatabase(async ({ db }) => {
        await removeWebhook({ db, clock: systemClock }, cli, id).catch(failing);
        out(`deleted ${id}`);
      });
    });

  hooks
    .command('enable')
    .description('enable a disabled webhook: what waited is sent at once')
    .argument('<id>', 'webhook id (wh_...)')
    .action(async (id: string) => {
      await withDatabase(async ({ db, atomic }, config) => {
        await enableWebhook({ db, atomic, clock: systemClock, config }, cli, id).catch(failing);
        out(`enabled ${id}`);
      });
    });

  hooks
    .command('replay')
    .description('send the events after a changes-feed position again (new message ids)')
    .argument('<id>', 'webhook id (wh_...)')
    .requiredOption('--after <seq>', 'a changes-feed position (data.seq of a delivery); 0: from the start')
    .action(async (id: string, o: { after: string }, cmd: Command) => {
      if (!/^\d{1,15}$/.test(o.after)) usage(cmd, '--after takes a feed position (a whole number)');
      await withDatabase(async ({ db, atomic }, config) => {
        const w = webhookView(await replayWebhook({ db, atomic, clock: systemClock, config }, cli, id, Number(o.after)).catch(failing));
        out(`${id} replays from position ${w.position}`);
      });
    });
  return hooks;
}
