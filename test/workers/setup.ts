import { applyD1Migrations } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { routeResendFetch } from '../support/fakes/resend/fetch';
import { resend } from './resend';

// Setup files may run more than once; applyD1Migrations skips what is already applied and the
// route is set, not added.
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
routeResendFetch(env.RESEND_BASE_URL, resend);
