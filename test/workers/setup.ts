import { applyD1Migrations } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { installResendStub } from './resend-stub';

// Setup files may run more than once; applyD1Migrations skips what is already applied.
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
installResendStub(env.RESEND_BASE_URL);
