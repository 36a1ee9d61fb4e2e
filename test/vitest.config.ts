import { defineConfig } from 'vitest/config';

/**
 * The Node suite. Files named workerd.test.ts (and everything under test/workers) run inside
 * workerd instead, through test/workers/vitest.config.ts.
 */
export default defineConfig({
  test: {
    root: new URL('..', import.meta.url).pathname,
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    exclude: ['test/workers/**', 'test/**/workerd.test.ts', 'node_modules/**'],
    globalSetup: ['test/e2e/browser-check.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
