import { Option, type Command } from 'commander';
import { allLists, findList } from '../db/queries/lists';
import { LIST_SLUG, listSettingsSchema } from '../domain/list-settings';
import { listView, saveList } from '../services/lists';
import { CliFailure, out, systemClock, table, usage, withDatabase } from './common';

/** `listgate lists create|list|show`: the same validation as PUT /v1/lists/{list}. */
export function registerLists(program: Command): Command {
  const lists = program.command('lists').description('create and inspect lists');

  lists
    .command('create')
    .description('create a list')
    .argument('<slug>', 'list slug: a-z, 0-9 and "-", up to 63 characters')
    .requiredOption('--name <name>', 'name shown on the signup page and in mail')
    .option('--from <sender>', 'sender, "Name <address>" or address (default: MAIL_FROM)')
    .addOption(new Option('--language <lang>', 'language of pages and mail').choices(['en', 'ja']).default('en'))
    .option('--json', 'print the list as JSON')
    .action(async (slug: string, o: { name: string; from?: string; language: 'en' | 'ja'; json?: boolean }, cmd: Command) => {
      if (!LIST_SLUG.test(slug)) usage(cmd, `"${slug}" is not a valid slug (a-z, 0-9 and "-", starting with a letter or digit, at most 63)`);
      const parsed = listSettingsSchema.safeParse({ name: o.name, from: o.from, language: o.language });
      if (!parsed.success) usage(cmd, parsed.error.issues.map((i) => `--${String(i.path[0])}: ${i.message}`).join('; '));
      await withDatabase(async ({ db }, config) => {
        if (await findList(db, slug)) throw new CliFailure(`list "${slug}" already exists (change it with PUT /v1/lists/${slug})`);
        const { list } = await saveList({ db, clock: systemClock, config }, slug, parsed.data, 'cli');
        out(o.json ? JSON.stringify(listView(list), null, 2) : `created list ${list.slug} ("${list.name}"); signup page: /lists/${list.slug}`);
      });
    });

  lists
    .command('list')
    .description('show every list with its counts')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      await withDatabase(async ({ db }) => {
        const rows = (await allLists(db)).map(listView);
        if (o.json) return out(JSON.stringify(rows, null, 2));
        out(table([['SLUG', 'CONFIRMED', 'PENDING', 'UNSUBSCRIBED', 'SUPPRESSED', 'NAME'], ...rows.map((l) => [l.slug, `${l.counts.confirmed}`, `${l.counts.pending}`, `${l.counts.unsubscribed}`, `${l.counts.suppressed}`, l.name])]));
      });
    });

  lists
    .command('show')
    .description("show one list's settings and counts")
    .argument('<slug>', 'list slug')
    .action(async (slug: string) => {
      await withDatabase(async ({ db }) => {
        const list = await findList(db, slug);
        if (!list) throw new CliFailure(`no list "${slug}"`);
        out(JSON.stringify(listView(list), null, 2));
      });
    });
  return lists;
}
