import type { Command } from 'commander';
import type { Scope } from '../db/types';
import { ApiError } from '../errors';
import { createKey, keyView, listKeys, revokeKey } from '../services/keys';
import { CliFailure, collect, out, systemClock, table, usage, withDatabase } from './common';

const SCOPES: Scope[] = ['export', 'events', 'admin'];

/** `listgate keys create|list|revoke`: the same keys as /v1/keys; the CLI acts as "cli". */
export function registerKeys(program: Command): Command {
  const keys = program.command('keys').description('create, list and revoke API keys');

  keys
    .command('create')
    .description('create a key; it is printed once and stored only as a hash')
    .option('--scope <scope>', 'export, events or admin (repeatable or comma-separated)', collect, [] as string[])
    .option('--list <slug>', 'limit the key to this list (repeatable); default: every list', collect, [] as string[])
    .option('--name <name>', 'a note to tell keys apart')
    .option('--json', 'print JSON')
    .action(async (o: { scope: string[]; list: string[]; name?: string; json?: boolean }, cmd: Command) => {
      if (o.scope.length === 0) usage(cmd, 'give at least one --scope (export, events or admin)');
      const bad = o.scope.filter((s) => !SCOPES.includes(s as Scope));
      if (bad.length) usage(cmd, `unknown scope ${bad.map((s) => `"${s}"`).join(', ')}; use export, events or admin`);
      await withDatabase(async ({ db }) => {
        const created = await createKey({ db, clock: systemClock }, { scopes: o.scope as Scope[], lists: o.list.length ? o.list : null, name: o.name ?? null }, 'cli').catch((err: unknown) => {
          if (err instanceof ApiError) throw new CliFailure(err.detail.replace(/^lists: /, '').replace(/; lists: /g, ', '));
          throw err;
        });
        const { row, key } = created;
        if (o.json) return out(JSON.stringify({ ...keyView(row), key }, null, 2));
        out(`${key}\n`);
        process.stderr.write(`created ${row.id} (${row.scopes.join(',')} on ${row.lists?.join(',') ?? 'every list'}). The key above is shown only now.\n`);
      }, { create: true });
    });

  keys
    .command('list')
    .description('list keys (never their secrets)')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      await withDatabase(async ({ db }) => {
        const rows = (await listKeys({ db })).map(keyView);
        if (o.json) return out(JSON.stringify(rows, null, 2));
        out(table([['ID', 'PREFIX', 'SCOPES', 'LISTS', 'CREATED', 'REVOKED', 'NAME'], ...rows.map((k) => [k.id, k.prefix, k.scopes.join(','), k.lists?.join(',') ?? '*', k.created_at ?? '', k.revoked_at ?? '-', k.name ?? ''])]));
      });
    });

  keys
    .command('revoke')
    .description('revoke a key at once')
    .argument('<id>', 'key id (key_...)')
    .action(async (id: string) => {
      await withDatabase(async ({ db }) => {
        const row = await revokeKey({ db, clock: systemClock }, id, 'cli');
        if (!row) throw new CliFailure(`no key "${id}"`);
        out(`revoked ${id}`);
      });
    });
  return keys;
}
