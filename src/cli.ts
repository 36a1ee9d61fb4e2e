import { Command } from 'commander';
import { registerDoctor } from './cli/doctor';
import { registerEmbed } from './cli/embed';

/** `npx listgate <command>`: every subcommand registers itself on one commander program. */
export function buildProgram(): Command {
  const program = new Command('listgate')
    .description('Double opt-in subscription service: lists, keys, export, doctor, backup')
    .showHelpAfterError()
    .exitOverride();
  registerDoctor(program);
  registerEmbed(program);
  return program;
}

/** Runs the CLI with process arguments; exit codes: 0 ok, 1 failure, 2 usage error. */
export async function main(argv = process.argv): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    const e = err as { exitCode?: number; code?: string; message?: string };
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') process.exit(0);
    if (!e.code?.startsWith('commander.')) console.error(`listgate: ${e.message ?? String(err)}`);
    process.exit(e.exitCode ?? 1);
  }
}
