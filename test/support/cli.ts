import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from './server-process';

export type CliResult = { code: number; stdout: string; stderr: string };

/**
 * Runs `listgate ...` as production does (`node dist/listgate.js`, built once for the suite by
 * test/support/build.ts), a child process with only the environment given (plus PATH and HOME),
 * stdin not a terminal.
 */
export function listgate(env: Record<string, string>, ...args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(projectRoot, 'dist/listgate.js'), ...args],
      { cwd: projectRoot, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', LOG_LEVEL: 'silent', ...env }, maxBuffer: 64 << 20 },
      (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}
