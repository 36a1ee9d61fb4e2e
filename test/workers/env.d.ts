/// <reference types="@cloudflare/vitest-pool-workers/types" />
import type { D1Migration } from 'cloudflare:test';

declare global {
  namespace Cloudflare {
    interface Env {
      DB: D1Database;
      TEST_MIGRATIONS: D1Migration[];
      ADMIN_TOKEN: string;
      RESEND_WEBHOOK_SECRET: string;
      RESEND_BASE_URL: string;
    }
  }
}
