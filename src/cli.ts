import { Command } from 'commander';
import pkg from '../package.json' with { type: 'json' };
import { registerBackup } from './cli/backup';
import { registerDoctor } from './cli/doctor';
import { registerExport } from './cli/export';
import { registerImport } from './cli/import';
import { registerKeys } from './cli/keys';
import { registerLists } from './cli/lists';
import { registerStats } from './cli/stats';
import { registerRestore } from './cli/restore';
import { registerEmbed } from './cli/embed';
import { registerSync } from './cli/sync';
import { registerWebhooks } from './cli/webhooks';

/** `npx listgate <command>`: every subcommand registers itself on one commander program. */
export function buildProgram(): Command {
  const program = new Command('listgate')
    .description('Double opt-in subscription service: lists, keys, webhooks, sync, export, import, embed, doctor, backup, restore')
    .version(pkg.version, '-V, --version', 'print the version')
    .showHelpAfterError()
    .exitOverride();
  registerDoctor(program);
  registerLists(program);
  registerKeys(program);
  registerExport(program);
  registerImport(program);
  registerBackup(program);
  registerRestore(program);
  registerEmbed(program);
  registerStats(program);
  registerWebhooks(program);
  registerSync(program);
  return program;
}

/** Runs the CLI with process arguments; exit codes: 0 ok, 1 failure, 2 usage error. */
export async function main(argv = process.argv): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    const e = err as { exitCode?: number; code?: string; message?: string };
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') process.exit(0);
    const usage = e.code?.startsWith('commander.');
    if (!usage) console.error(`listgate: ${e.message ?? String(err)}`);
    // commander reports its own usage errors (unknown option, missing argument) with 1; usage is 2.
    process.exit(usage ? 2 : (e.exitCode ?? 1));
  }
}
