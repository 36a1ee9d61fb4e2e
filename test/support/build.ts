import { execFileSync } from 'node:child_process';
import { projectRoot } from './server-process';

/**
 * vitest globalSetup: `npm run build` once for the whole suite, before any test file starts. The
 * process tests run dist/node.js as production does, and the CLI tests run dist/listgate.js (a
 * third of the start-up time of the source through tsx, for some hundred runs); one file keeps
 * running `src/bin.js` as `npx listgate` does from a checkout (test/cli/operator.test.ts).
 */
export default function buildOnce() {
  execFileSync(process.execPath, ['src/build.mjs'], { cwd: projectRoot, stdio: ['ignore', 'ignore', 'inherit'], timeout: 120_000 });
}
