import { Hono } from 'hono';
import type { ConsoleEnv } from '../../deps';
import { ApiError } from '../../errors';
import { requireSession, consolePages } from '../../middleware/console-session';
import { csrfToken, sameOrigin } from '../../middleware/csrf';
import { consoleError } from './errors';
import { importChooserRoutes, importRoutes } from './imports';
import { keyRoutes } from './keys';
import { listRoutes } from './lists';
import { overviewRoutes } from './overview';
import { previewRoutes } from './preview';
import { signInRoutes, signOutRoutes } from './sign-in';
import { subscriberRoutes } from './subscribers';
import { suppressionRoutes } from './suppressions';
import { webhookRoutes } from './webhooks';

/**
 * The operator console, mounted at /admin: server-rendered pages, one small script. Every answer
 * gets the console's headers and language; every state change must come from the console's own
 * origin; past sign-in, every request needs a live session and every state change its CSRF token.
 * Handlers call the same services as /v1, with the session's key as the actor of the audit log.
 */
export const consoleRoutes = new Hono<ConsoleEnv>();
consoleRoutes.use('*', consolePages());
consoleRoutes.use('*', sameOrigin());
consoleRoutes.route('/', signInRoutes); //                  GET|POST /admin/sign-in (no session yet)

consoleRoutes.use('*', requireSession());
consoleRoutes.use('*', csrfToken());
consoleRoutes.route('/', signOutRoutes); //                 POST /admin/sign-out
consoleRoutes.route('/', overviewRoutes); //                GET /admin, POST /admin/lists
consoleRoutes.route('/lists', listRoutes); //               GET /admin/lists/:list, POST .../settings, .../test-mail, GET|POST .../delete
consoleRoutes.route('/lists', previewRoutes); //            GET|POST /admin/lists/:list/preview (the preview frame)
consoleRoutes.route('/subscribers', subscriberRoutes); //   GET|POST /admin/subscribers, POST .../unsubscribe, .../erase
consoleRoutes.route('/keys', keyRoutes); //                 GET|POST /admin/keys, POST /admin/keys/:id/revoke
consoleRoutes.route('/suppressions', suppressionRoutes); // GET|POST /admin/suppressions, POST /admin/suppressions/lift
consoleRoutes.route('/imports', importChooserRoutes); //    GET /admin/imports (which list)
consoleRoutes.route('/lists', importRoutes); //             GET|POST /admin/lists/:list/imports (multipart upload, up to CONSOLE_IMPORT_MAX_BYTES)
consoleRoutes.route('/webhooks', webhookRoutes); //         GET|POST /admin/webhooks, GET /admin/webhooks/:id, POST .../delete, .../enable, .../replay

consoleRoutes.all('*', () => {
  throw new ApiError('not_found', 'Nothing is here.');
});
consoleRoutes.onError(consoleError);
