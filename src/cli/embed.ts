import { existsSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { envSchema } from '../config';
import { openSqlite } from '../db/sqlite';
import { findList } from '../db/queries/lists';
import { LIST_SLUG } from '../domain/list-settings';
import type { Lang } from '../i18n/messages';
import { embedSnippet, type SnippetList } from '../pages/snippet';
import { CliFailure, linkOrigin, requireDatabase, usage } from './common';

type EmbedOptions = { lang?: Lang; publicUrl?: string };

/**
 * The snippet for `list`, with the list's name, language and Turnstile site key from the database
 * at DATABASE_PATH, and the server's PUBLIC_URL as recorded there. Without a database here (a
 * Workers deployment, run from a laptop) `--public-url` names the service and the snippet is built
 * from the slug alone; without either the command refuses, as every read command does.
 */
export async function snippetFor(slug: string, opts: EmbedOptions, env: Record<string, string | undefined>) {
  const config = envSchema.pick({ PUBLIC_URL: true, DATABASE_PATH: true }).parse(env);
  let list: SnippetList = { slug, name: slug, language: opts.lang ?? 'en' };
  let note: string | undefined;
  let origin = opts.publicUrl?.replace(/\/+$/, '');
  if (existsSync(config.DATABASE_PATH)) {
    const sqlite = openSqlite(config.DATABASE_PATH);
    try {
      const row = await findList(sqlite.db, slug);
      if (!row) throw new CliFailure(`there is no list "${slug}" in ${config.DATABASE_PATH}`);
      list = { slug: row.slug, name: row.name, language: opts.lang ?? row.language, turnstileSiteKey: row.turnstileSiteKey, consentText: row.consentText };
      origin ??= await linkOrigin(sqlite.db, config, env);
    } finally {
      sqlite.close();
    }
  } else {
    if (!origin) requireDatabase(config.DATABASE_PATH);
    note = `note: no database at ${config.DATABASE_PATH}; make sure the list "${slug}" exists on ${origin}.`;
  }
  return { snippet: embedSnippet(origin!, list), note, publicUrl: origin! };
}

export function registerEmbed(program: Command, env: Record<string, string | undefined> = process.env): Command {
  return program
    .command('embed')
    .description('print the signup form snippet to paste into another site (works without JavaScript; /embed.js enhances it)')
    .argument('<list>', 'list slug, e.g. newsletter')
    .addOption(new Option('--lang <lang>', 'language of the labels and messages (default: the list\'s)').choices(['en', 'ja']))
    .option('--public-url <url>', 'the service\'s public origin; with it no database is needed here (a Workers deployment)')
    .action(async (slug: string, o: EmbedOptions, cmd: Command) => {
      if (!LIST_SLUG.test(slug)) usage(cmd, `"${slug}" is not a list slug ([a-z0-9][a-z0-9-]{0,62})`);
      if (o.publicUrl !== undefined && !/^https?:\/\/[^/\s]+\/?$/.test(o.publicUrl)) usage(cmd, '--public-url must be an origin such as https://lists.example.org');
      const result = await snippetFor(slug, o, env);
      if (result.note) process.stderr.write(`${result.note}\n`);
      process.stdout.write(result.snippet);
      process.stderr.write(
        `\nPaste it where the form should appear. Scripts on other origins need the list's allowed_origins` +
          ` to include that site's origin; without it (or without JavaScript) the form still posts normally.\n`,
      );
    });
}
