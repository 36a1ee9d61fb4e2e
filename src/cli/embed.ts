import { existsSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { envSchema } from '../config';
import { openSqlite } from '../db/sqlite';
import { findList } from '../db/queries/lists';
import type { Lang } from '../i18n/messages';
import { embedSnippet, type SnippetList } from '../pages/snippet';

type EmbedOptions = { lang?: Lang };

/**
 * The snippet for `list`, with the list's name, language and Turnstile site key when the database
 * at DATABASE_PATH knows it. With no database file (a Workers deployment run from a laptop) it still
 * prints a snippet for the slug, and says so on stderr; a database without that list is an error.
 */
export async function snippetFor(slug: string, opts: EmbedOptions, env: Record<string, string | undefined>) {
  const { PUBLIC_URL, DATABASE_PATH } = envSchema.pick({ PUBLIC_URL: true, DATABASE_PATH: true }).parse(env);
  let list: SnippetList = { slug, name: slug, language: opts.lang ?? 'en' };
  let note: string | undefined;
  if (existsSync(DATABASE_PATH)) {
    const sqlite = openSqlite(DATABASE_PATH);
    try {
      const row = await findList(sqlite.db, slug);
      if (!row) throw new Error(`there is no list "${slug}" in ${DATABASE_PATH}`);
      list = { slug: row.slug, name: row.name, language: opts.lang ?? row.language, turnstileSiteKey: row.turnstileSiteKey, consentText: row.consentText };
    } finally {
      sqlite.close();
    }
  } else {
    note = `note: no database at ${DATABASE_PATH}; make sure the list "${slug}" exists on ${PUBLIC_URL}.`;
  }
  return { snippet: embedSnippet(PUBLIC_URL, list), note, publicUrl: PUBLIC_URL };
}

export function registerEmbed(program: Command, env: Record<string, string | undefined> = process.env): Command {
  return program
    .command('embed')
    .description('print the signup form snippet to paste into another site (works without JavaScript; /embed.js enhances it)')
    .argument('<list>', 'list slug, e.g. newsletter')
    .addOption(new Option('--lang <lang>', 'language of the labels and messages (default: the list\'s)').choices(['en', 'ja']))
    .action(async (slug: string, o: EmbedOptions, cmd: Command) => {
      if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(slug)) return cmd.error(`error: "${slug}" is not a list slug ([a-z0-9][a-z0-9-]{0,62})`, { exitCode: 2 });
      let result: Awaited<ReturnType<typeof snippetFor>>;
      try {
        result = await snippetFor(slug, o, env);
      } catch (err) {
        return cmd.error(`error: ${(err as Error).message}`, { exitCode: 1 });
      }
      if (result.note) process.stderr.write(`${result.note}\n`);
      process.stdout.write(result.snippet);
      process.stderr.write(
        `\nPaste it where the form should appear. Scripts on other origins need the list's allowed_origins` +
          ` to include that site's origin; without it (or without JavaScript) the form still posts normally.\n`,
      );
    });
}
