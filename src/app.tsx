import { OpenAPIHono } from '@hono/zod-openapi';
import { Hono } from 'hono';
import type { AppEnv, Deps } from './deps';
import { ApiError } from './errors';
import { setResponseHeader } from './http/response';
import { bodyLimit, CONSOLE_IMPORT_MAX_BYTES, CONSOLE_IMPORT_PATH, CONSOLE_MAX_BYTES, IMPORT_PATH, WEBHOOK_MAX_BYTES } from './middleware/body-limit';
import { requestLog } from './middleware/request-log';
import { securityHeaders } from './middleware/security-headers';
import { consoleRoutes } from './routes/admin';
import { apiDocs } from './routes/docs';
import { onError, problem } from './routes/problem';
import { confirmedRoutes, confirmRoutes } from './routes/public/confirm';
import { embedRoutes } from './routes/public/embed';
import { notMeRoutes } from './routes/public/not-me';
import { signupRoutes } from './routes/public/signup';
import { unsubscribeRoutes } from './routes/public/unsubscribe';
import { changesRoutes } from './routes/v1/changes';
import { eventRoutes } from './routes/v1/events';
import { importRoutes } from './routes/v1/imports';
import { exportRoutes } from './routes/v1/export';
import { keyRoutes } from './routes/v1/keys';
import { listRoutes } from './routes/v1/lists';
import { statsRoutes } from './routes/v1/stats';
import { listSubscriberRoutes, subscriberRoutes } from './routes/v1/subscribers';
import { mailRoutes } from './routes/v1/mail';
import { suppressionRoutes } from './routes/v1/suppressions';
import { syncRoutes } from './routes/v1/sync';
import { webhookDeliveryRoutes } from './routes/v1/webhook-deliveries';
import { describeWebhookPayloads } from './routes/v1/webhook-schemas';
import { webhookRoutes as outboundWebhookRoutes } from './routes/v1/webhooks';
import { webhookRoutes } from './routes/webhooks';
import { checkHealth } from './services/health';

/**
 * The API: mailers (scopes export, events) and operators (scope admin or ADMIN_TOKEN). Each router
 * declares its routes with their schemas and auth, so the API describes itself (apiDocument);
 * it needs no deps, so `npm run openapi` can describe it without a running service.
 */
export function createApi() {
  const v1 = new OpenAPIHono<AppEnv>();
  v1.route('/lists', listRoutes); //               GET /v1/lists, GET|PUT|DELETE /v1/lists/{list}
  v1.route('/lists', exportRoutes); //             GET /v1/lists/{list}/subscribers
  v1.route('/lists', changesRoutes); //            GET /v1/lists/{list}/changes
  v1.route('/lists', statsRoutes); //              GET /v1/lists/{list}/stats, GET /v1/lists/{list}/stats/daily
  v1.route('/lists', mailRoutes); //               POST /v1/lists/{list}/preview, POST /v1/lists/{list}/test-mail
  v1.route('/lists', listSubscriberRoutes); //     POST /v1/lists/{list}/subscribers/{email}/unsubscribe
  v1.route('/lists', importRoutes); //             POST /v1/lists/{list}/imports
  v1.route('/lists', syncRoutes); //               GET|PUT|DELETE /v1/lists/{list}/sync
  v1.route('/subscribers', subscriberRoutes); //   GET|DELETE /v1/subscribers/{email}
  v1.route('/suppressions', suppressionRoutes); // GET|POST /v1/suppressions, DELETE /v1/suppressions/{email}
  v1.route('/keys', keyRoutes); //                 GET|POST /v1/keys, DELETE /v1/keys/{id}
  v1.route('/events', eventRoutes); //             POST /v1/events
  v1.route('/webhooks', outboundWebhookRoutes); // GET|POST /v1/webhooks, GET|DELETE /v1/webhooks/{id}
  v1.route('/webhooks', webhookDeliveryRoutes); // GET /v1/webhooks/{id}/deliveries, POST /v1/webhooks/{id}/replay|enable
  describeWebhookPayloads(v1); //                 what receivers of those webhooks get (the document's `webhooks`)
  return v1;
}

/**
 * Everything listgate answers, wired to the given ports: this file is the URL map. No side effects
 * at import: both entries (Node, Workers) and the tests build their own app.
 */
export function createApp(deps: Deps) {
  const app = new Hono<AppEnv>();

  app.use('*', async function injectDeps(c, next) {
    c.set('deps', deps);
    c.set('requestId', c.req.header('x-request-id')?.slice(0, 64).replace(/[^\w.-]/g, '') || crypto.randomUUID());
    await next();
    setResponseHeader(c, 'X-Request-Id', c.get('requestId'));
  });
  app.use('*', requestLog());
  app.use('*', securityHeaders());
  // Provider webhooks, the streamed import, the console's upload and its settings form have their own ceilings; everything else is small.
  const maxBytesFor = (path: string) =>
    path.startsWith('/webhooks/')
      ? WEBHOOK_MAX_BYTES
      : IMPORT_PATH.test(path)
        ? deps.config.IMPORT_MAX_BYTES
        : CONSOLE_IMPORT_PATH.test(path)
          ? Math.min(CONSOLE_IMPORT_MAX_BYTES, deps.config.IMPORT_MAX_BYTES)
          : path.startsWith('/admin/')
            ? CONSOLE_MAX_BYTES
            : undefined;
  app.use('*', bodyLimit({ maxBytes: deps.config.MAX_BODY_BYTES, maxBytesFor, streamed: (path) => IMPORT_PATH.test(path) }));

  app.get('/healthz', async (c) => {
    const { healthy, report, retryAfter } = await checkHealth(deps);
    return c.json(report, healthy ? 200 : 503, retryAfter ? { 'Retry-After': String(retryAfter), 'Cache-Control': 'no-store' } : { 'Cache-Control': 'no-store' });
  });
  // Static files (src/public/): Workers serve them before this app runs; Node passes them in.
  app.get('/assets/*', (c) => deps.staticFile?.(c.req.path) ?? problem(c, new ApiError('not_found', 'Nothing is here.')));

  // Public: the signup page and form, embed.js, the links in mail.
  app.route('/lists', signupRoutes); //            GET /lists/:list, POST /lists/:list/subscribe, GET /lists/:list/check-inbox
  app.route('/embed.js', embedRoutes); //          GET /embed.js
  app.route('/confirm', confirmRoutes); //         GET|POST /confirm
  app.route('/confirmed', confirmedRoutes); //     GET /confirmed
  app.route('/not-me', notMeRoutes); //            GET|POST /not-me
  app.route('/unsubscribe', unsubscribeRoutes); // GET|POST /unsubscribe

  // Providers: signed delivery events.
  app.route('/webhooks', webhookRoutes); //        POST /webhooks/resend, POST /webhooks/ses

  // Operators in a browser: the console (sessions, CSRF and its own CSP inside).
  app.route('/admin', consoleRoutes); //          GET /admin and its pages (src/routes/admin/index.tsx)

  // The API (createApi) and its description: the OpenAPI document and a reference page for people.
  const v1 = createApi();
  app.route('/v1', v1);
  const docs = apiDocs(v1);
  app.get('/openapi.json', docs.document); //      GET /openapi.json
  app.get('/docs', docs.page); //                  GET /docs

  app.notFound((c) => problem(c, new ApiError('not_found', 'Nothing is here.')));
  app.onError(onError);
  return app;
}
