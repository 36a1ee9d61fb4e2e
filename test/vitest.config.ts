import { defineConfig } from 'vitest/config';

/**
 * The Node suite. Files named workerd.test.ts (and everything under test/workers) run inside
 * workerd instead, through test/workers/vitest.config.ts. Time limits are sized for a loaded
 * 2-core machine: they only bound how long a failure takes to show, never what passes.
 */
export default defineConfig({
  test: {
    root: new URL('..', import.meta.url).pathname,
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    exclude: ['test/workers/**', 'test/**/workerd.test.ts', 'node_modules/**'],
    globalSetup: ['test/support/build.ts', 'test/e2e/browser-check.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    expect: { poll: { timeout: 30_000 } },
  },
});
