import { existsSync } from 'node:fs';

/**
 * vitest globalSetup: when the browser suite is skipped, repeat the warning after the summary,
 * where nobody scrolls past it (the suite itself warns at the top and fails under
 * LISTGATE_REQUIRE_BROWSER=1).
 */
export default function browserCheck() {
  return () => {
    const path = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
    if (existsSync(path) || process.env.LISTGATE_REQUIRE_BROWSER === '1') return;
    const bar = '!'.repeat(78);
    process.stderr.write(`\n${bar}\n!!  The browser suite (test/e2e) was SKIPPED: no chromium at ${path}.\n!!  apt-get install -y chromium, then run npm test again.\n${bar}\n`);
  };
}
