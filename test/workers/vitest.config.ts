import { fileURLToPath } from 'node:url';
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The workerd suite: tests run inside workerd next to src/worker.ts (the same isolate), against a
 * local D1 with the drizzle/ migrations applied by the setup file. Nothing leaves the machine:
 * the Resend API is imitated in-process (test/workers/setup.ts routes fetch to test/support/fakes/resend).
 */
export default defineConfig(async () => ({
  plugins: [
    cloudflareTest({
      main: './src/worker.ts',
      wrangler: { configPath: './wrangler.toml' },
      miniflare: {
        bindings: {
          TEST_MIGRATIONS: await readD1Migrations(`${root}/drizzle`),
          TOKEN_SECRET: 'workerd-test-secret-workerd-test-secret',
          ADMIN_TOKEN: 'workerd-admin-token-0123456789',
          RESEND_API_KEY: 're_test_workerd',
          RESEND_BASE_URL: 'https://resend.test',
          // A sender on a real domain: the imitation, like Resend, refuses onboarding@localhost.
          MAIL_FROM: 'listgate <news@example.com>',
          RESEND_WEBHOOK_SECRET: 'whsec_dGVzdC13ZWJob29rLXNlY3JldC0xMjM0NTY3ODkw',
          LOG_LEVEL: 'warn',
        },
      },
    }),
  ],
  test: {
    root,
    include: ['test/workers/**/*.test.ts', 'test/**/workerd.test.ts'],
    setupFiles: ['./test/workers/setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
}));
