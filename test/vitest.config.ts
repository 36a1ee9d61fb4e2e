import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: new URL('..', import.meta.url).pathname,
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    exclude: ['test/workers/**', 'node_modules/**'],
    globalSetup: ['test/e2e/browser-check.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
