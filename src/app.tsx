import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { sql } from 'drizzle-orm';
import type { AppEnv, Deps } from './deps';
import { ApiError } from './errors';
import { setResponseHeader, wantsJson } from './http';
import { safeErrorText } from './logger';
import { requestLog } from './middleware/request-log';
import { securityHeaders } from './middleware/security-headers';
import { stylesheet } from './pages/layout';
import { ErrorPage } from './pages/pages';
import { pickLang } from './pages/i18n';
import { confirmRoutes } from './routes/confirm';
import { embedRoutes } from './routes/embed';
import { subscribeRoutes } from './routes/subscribe';
import { unsubscribeRoutes } from './routes/unsubscribe';
import { eventRoutes } from './routes/events';
import { statsRoutes } from './routes/stats';
import { suppressionRoutes } from './routes/suppressions';
import { webhookRoutes } from './routes/webhooks';
import { changesRoutes } from './routes/changes';
import { exportRoutes } from './routes/export';
import { keysRoutes } from './routes/keys';
import { listsAdminRoutes } from './routes/lists-admin';
import { subscribersAdminRoutes } from './routes/subscribers-admin';

/**
 * Everything listgate answers, wired to the given ports. No side effects at import:
 * both entries (Node, Workers) and the tests build their own app.
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
  const limit = (maxSize: number) =>
    bodyLimit({
      maxSize,
      onError: () => {
        throw new ApiError('payload_too_large', `The body is larger than ${maxSize} bytes.`);
      },
    });
  // Provider webhooks get SNS's own ceiling: a refused bounce notification is a bounce never applied.
  const WEBHOOK_MAX_BYTES = 256 * 1024;
  const [bodyLimitDefault, bodyLimitWebhooks] = [limit(deps.config.MAX_BODY_BYTES), limit(WEBHOOK_MAX_BYTES)];
  app.use('*', (c, next) => {
    const webhook = c.req.path.startsWith('/webhooks/');
    const max = webhook ? WEBHOOK_MAX_BYTES : deps.config.MAX_BODY_BYTES;
    // A declared length is checked from the header, as bodyLimit itself does; asking bodyLimit
    // would first touch `raw.body`, which makes @hono/node-server build a whole Web Request per
    // request (~5 % of a signup's CPU, bench/RESULTS.md).
    const length = c.req.header('content-length');
    if (length !== undefined && !c.req.header('transfer-encoding')) {
      if (parseInt(length, 10) > max) throw new ApiError('payload_too_large', `The body is larger than ${max} bytes.`);
      return next();
    }
    return (webhook ? bodyLimitWebhooks : bodyLimitDefault)(c, next);
  });

  app.get('/healthz', async (c) => {
    await c.get('deps').db.get(sql`SELECT 1`);
    return c.json({ status: 'ok' });
  });
  app.get('/assets/listgate.css', (c) => c.body(stylesheet, 200, { 'Content-Type': 'text/css; charset=utf-8', 'Cache-Control': 'public, max-age=3600' }));

  // Public: the signup page and form, embed.js, the links in mail (confirm, not-me, unsubscribe).
  app.route('/', subscribeRoutes);
  app.route('/', embedRoutes);
  app.route('/', confirmRoutes);
  app.route('/', unsubscribeRoutes);
  // Mailers (scope export / events) and providers (signed webhooks).
  app.route('/', exportRoutes);
  app.route('/', changesRoutes);
  app.route('/', eventRoutes);
  app.route('/', webhookRoutes);
  // Operators (scope admin or ADMIN_TOKEN).
  app.route('/', listsAdminRoutes);
  app.route('/v1/keys', keysRoutes);
  app.route('/', subscribersAdminRoutes);
  app.route('/', suppressionRoutes);
  app.route('/', statsRoutes);

  app.notFound((c) => problem(c, new ApiError('not_found', 'Nothing is here.')));
  app.onError((err, c) => {
    if (err instanceof ApiError) return problem(c, err);
    if (err instanceof HTTPException && err.status < 500) {
      return problem(c, new ApiError(err.status === 413 ? 'payload_too_large' : 'bad_request', err.message || 'The request could not be read.'));
    }
    c.get('deps')?.logger.error('unhandled error', { requestId: c.get('requestId'), error: safeErrorText(err), where: err.stack?.split('\n').slice(1, 4).join(' | ') });
    return problem(c, new ApiError('internal', 'Something went wrong on our side. Try again later.'));
  });
  return app;
}

/** The one error shape: problem+json for JSON requests, a page with the same status for browsers. */
function problem(c: Context<AppEnv>, err: ApiError) {
  for (const [k, v] of Object.entries(err.headers)) c.header(k, v);
  if (wantsJson(c) || c.req.path.startsWith('/v1/') || c.req.path.startsWith('/webhooks/')) {
    return c.body(JSON.stringify({ ...err.toProblem(), instance: c.get('requestId') }), err.status, {
      'Content-Type': 'application/problem+json',
    });
  }
  const lang = pickLang(undefined, c.req.header('accept-language'));
  return c.html(<ErrorPage lang={lang} code={err.code} detail={err.detail} />, err.status);
}
