import { Option, type Command } from 'commander';
import { allLists, findList } from '../db/queries/lists';
import { LIST_SLUG, listSettingsSchema } from '../domain/list-settings';
import { ApiError } from '../errors';
import { memoryRateLimiter } from '../ratelimit/memory';
import { installationHashKey } from '../services/installation';
import { checkReminder, listView, removeList, saveList, settingsInputOf } from '../services/lists';
import { loadConfig } from '../config';
import { sendTestMail } from '../services/mail-preview';
import { CliFailure, collect, confirmOrRefuse, out, systemClock, table, usage, withDatabase } from './common';

type SettingsOptions = {
  name?: string;
  from?: string;
  language?: 'en' | 'ja';
  redirectPending?: string;
  redirectConfirmed?: string;
  allowedOrigin?: string[];
  allowedOrigins?: false;
  turnstileSiteKey?: string;
  turnstileSecret?: string;
  checkMx?: boolean;
  blockDisposable?: boolean;
  mailSubject?: string;
  mailIntro?: string;
  mailButton?: string;
  replyTo?: string;
  mailFooter?: string;
  consentText?: string;
  reminderAfterHours?: string;
  settings?: string;
  json?: boolean;
};

/** Every field of a list as an option (the body of PUT /v1/lists/{list}); "" clears an optional one. */
function settingsOptions(cmd: Command): Command {
  return cmd
    .option('--name <name>', 'name shown on the signup page and in mail')
    .option('--from <sender>', 'sender, "Name <address>" or address ("" for MAIL_FROM)')
    .addOption(new Option('--language <lang>', 'language of pages and mail').choices(['en', 'ja']))
    .option('--redirect-pending <url>', 'where a browser goes after signing up ("" for the hosted page)')
    .option('--redirect-confirmed <url>', 'where a browser goes after confirming ("" for the hosted page)')
    .option('--allowed-origin <origin>', 'a site whose scripts may call the list (repeatable; replaces the list)', collect)
    .option('--no-allowed-origins', 'allow no site\'s scripts')
    .option('--turnstile-site-key <key>', 'Cloudflare Turnstile site key ("" for none)')
    .option('--turnstile-secret <secret>', 'Cloudflare Turnstile secret ("" for none)')
    .option('--check-mx', 'refuse addresses whose domain has no mail server')
    .option('--no-check-mx', 'do not check mail servers')
    .option('--block-disposable', 'refuse throwaway-mail domains')
    .option('--no-block-disposable', 'accept throwaway-mail domains')
    .option('--mail-subject <text>', 'subject of the confirmation mail; {{list_name}} is the list\'s name ("" for the default)')
    .option('--mail-intro <text>', 'its text before the button; a blank line starts a paragraph ("" for the default)')
    .option('--mail-button <text>', 'the button\'s label ("" for the default)')
    .option('--reply-to <address>', 'Reply-To of every mail of the list ("" for none)')
    .option('--mail-footer <text>', 'footer of every mail: who sends, and why the reader gets it ("" for the default)')
    .option('--consent-text <text>', 'the wording shown under the forms, kept with each signup ("" for none)')
    .option('--reminder-after-hours <hours>', 'one reminder this long after the first mail ("" for none)')
    .option('--settings <json>', 'more fields as a JSON object, as in PUT /v1/lists/{list} (options above win)')
    .option('--json', 'print the list as JSON');
}

/** The fields the options name, in the API's shape. */
function fieldsFrom(cmd: Command, o: SettingsOptions): Record<string, unknown> {
  let fields: Record<string, unknown> = {};
  if (o.settings !== undefined) {
    try {
      fields = JSON.parse(o.settings) as Record<string, unknown>;
    } catch {
      usage(cmd, '--settings must be a JSON object');
    }
    if (!fields || typeof fields !== 'object' || Array.isArray(fields)) usage(cmd, '--settings must be a JSON object');
  }
  const clearable = (v: string | undefined) => (v === undefined ? undefined : v === '' ? null : v);
  const given: Record<string, unknown> = {
    name: o.name,
    from: clearable(o.from),
    language: o.language,
    redirect_pending: clearable(o.redirectPending),
    redirect_confirmed: clearable(o.redirectConfirmed),
    allowed_origins: o.allowedOrigins === false ? [] : o.allowedOrigin,
    turnstile_site_key: clearable(o.turnstileSiteKey),
    turnstile_secret: clearable(o.turnstileSecret),
    check_mx: o.checkMx,
    block_disposable: o.blockDisposable,
    reply_to: clearable(o.replyTo),
    mail_footer: clearable(o.mailFooter),
    consent_text: clearable(o.consentText),
    reminder_after_hours: o.reminderAfterHours === undefined ? undefined : o.reminderAfterHours === '' ? null : Number(o.reminderAfterHours),
  };
  const mail = Object.fromEntries(
    Object.entries({ subject: o.mailSubject, intro: o.mailIntro, button: o.mailButton }).filter(([, v]) => v !== undefined),
  );
  if (Object.keys(mail).length) given.confirmation_mail = mail;
  for (const [k, v] of Object.entries(given)) if (v !== undefined) fields[k] = v;
  return fields;
}

/** The same validation as PUT /v1/lists/{list}; a refusal is a usage error naming the options. */
function validSettings(cmd: Command, fields: Record<string, unknown>) {
  const parsed = listSettingsSchema.safeParse(fields);
  if (!parsed.success) usage(cmd, parsed.error.issues.map((i) => `--${String(i.path[0] ?? 'settings').replace(/_/g, '-')}: ${i.message}`).join('; '));
  try {
    checkReminder(loadConfig(process.env), parsed.data.reminder_after_hours);
  } catch (err) {
    if (err instanceof ApiError) usage(cmd, `--reminder-after-hours: ${err.detail.replace(/^reminder_after_hours: /, '')}`);
    throw err;
  }
  return parsed.data;
}

/** `listgate lists create|update|delete|list|show`: the same lists and validation as /v1/lists. */
export function registerLists(program: Command): Command {
  const lists = program.command('lists').description('create, change, remove and inspect lists');

  settingsOptions(lists.command('create').description('create a list').argument('<slug>', 'list slug: a-z, 0-9 and "-", up to 63 characters')).action(
    async (slug: string, o: SettingsOptions, cmd: Command) => {
      if (!LIST_SLUG.test(slug)) usage(cmd, `"${slug}" is not a valid slug (a-z, 0-9 and "-", starting with a letter or digit, at most 63)`);
      if (o.name === undefined && o.settings === undefined) usage(cmd, 'give the list a --name');
      const settings = validSettings(cmd, fieldsFrom(cmd, o));
      await withDatabase(
        async ({ db }, config) => {
          if (await findList(db, slug)) throw new CliFailure(`list "${slug}" already exists (change it with: listgate lists update ${slug})`);
          const { list } = await saveList({ db, clock: systemClock, config }, slug, settings, 'cli');
          out(o.json ? JSON.stringify(listView(list), null, 2) : `created list ${list.slug} ("${list.name}"); signup page: /lists/${list.slug}`);
        },
        { create: true },
      );
    },
  );

  settingsOptions(
    lists
      .command('update')
      .description("change some of a list's settings; the others stay as they are")
      .argument('<slug>', 'list slug'),
  ).action(async (slug: string, o: SettingsOptions, cmd: Command) => {
    const change = fieldsFrom(cmd, o);
    if (Object.keys(change).length === 0) usage(cmd, 'nothing to change: give at least one setting (see --help)');
    await withDatabase(async ({ db }, config) => {
      const list = await findList(db, slug);
      if (!list) throw new CliFailure(`no list "${slug}"`);
      const current = settingsInputOf(list);
      // The mail's words are changed one by one: the ones not named stay; "" goes back to the default.
      if (change.confirmation_mail) {
        const words = { ...current.confirmation_mail, ...(change.confirmation_mail as Record<string, string>) };
        change.confirmation_mail = Object.fromEntries(Object.entries(words).filter(([, v]) => v));
      }
      const settings = validSettings(cmd, { ...current, ...change });
      const saved = await saveList({ db, clock: systemClock, config }, slug, settings, 'cli');
      out(o.json ? JSON.stringify(listView(saved.list), null, 2) : `updated list ${slug}: ${Object.keys(change).join(', ')}`);
    });
  });

  lists
    .command('test-mail')
    .description("queue a test of the list's confirmation mail to an address (its links confirm nobody); the server sends it")
    .argument('<slug>', 'list slug')
    .argument('<address>', 'where to send it')
    .action(async (slug: string, address: string) => {
      await withDatabase(async ({ db }, config) => {
        const list = await findList(db, slug);
        if (!list) throw new CliFailure(`no list "${slug}"`);
        const deps = { db, clock: systemClock, config, hashKey: await installationHashKey(db), rateLimiter: memoryRateLimiter(systemClock), outbox: { wake() {} } };
        const { to } = await sendTestMail(deps, list, address, 'cli').catch((err: unknown) => {
          if (err instanceof ApiError) throw new CliFailure(err.detail);
          throw err;
        });
        out(`queued a test mail of ${slug} to ${to}; the running server sends it`);
      });
    });

  lists
    .command('delete')
    .description('remove a list and its subscriptions (suppressions and erasures stay); asks first')
    .argument('<slug>', 'list slug')
    .option('--yes', 'do not ask for confirmation')
    .action(async (slug: string, o: { yes?: boolean }, cmd: Command) => {
      await withDatabase(async ({ db, atomic }) => {
        const list = await findList(db, slug);
        if (!list) throw new CliFailure(`no list "${slug}"`);
        await confirmOrRefuse(
          cmd,
          o.yes,
          `Remove the list "${slug}" (${list.name}) with its ${list.countConfirmed} confirmed and ${list.countPending} pending subscriptions? This cannot be undone.`,
          slug,
        );
        await removeList({ db, atomic, clock: systemClock }, list, 'cli');
        out(`removed list ${slug}`);
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
