import { Hono } from 'hono';
import type { Context } from 'hono';
import * as z from 'zod';
import type { ConsoleEnv } from '../../deps';
import { LIST_SLUG } from '../../domain/list-settings';
import { webhookEventNames } from '../../domain/webhook-payload';
import { ApiError, validate } from '../../errors';
import { tc } from '../../i18n/console';
import { NewWebhookPage, type WebhookDraft, WebhookPage, WebhooksPage } from '../../pages/admin/webhooks';
import { createWebhook, enableWebhook, listWebhooks, removeWebhook, replayWebhook, webhookAttempts, webhookFor, webhookView } from '../../services/webhooks';
import { formFields, unlimitedOnly, view } from './view';

const HERE = '/admin/webhooks';
const PAGE = 50;

/** The same rules as POST /v1/webhooks (the service checks the target and the lists' existence). */
const newWebhook = z.object({
  url: z.string().trim().min(1, 'enter the address deliveries go to').max(2000),
  events: z.array(z.enum(webhookEventNames)).min(1, 'choose at least one event'),
  lists: z.array(z.string().regex(LIST_SLUG, 'must be a list slug')).max(100).nullable(),
});

const principal = (c: Context<ConsoleEnv>) => c.get('session')!.principal;

/** Every webhook with its last attempt (one small query each: an installation has a handful). */
async function page(c: Context<ConsoleEnv>, extra: { notice?: string; problem?: string; draft?: WebhookDraft } = {}, status: 200 | 422 = 200) {
  const deps = c.get('deps');
  const rows = await listWebhooks(deps, principal(c));
  const hooks = await Promise.all(rows.map(async (w) => ({ w: webhookView(w), last: (await webhookAttempts(deps, principal(c), w.id, 1)).data[0] })));
  return c.html(<WebhooksPage v={await view(c, HERE)} hooks={hooks} days={deps.config.WEBHOOK_DISABLE_AFTER_DAYS} {...extra} />, status);
}

/** One webhook's page; `cursor` pages through its attempts. */
async function detail(c: Context<ConsoleEnv>, id: string, extra: { notice?: string; problem?: string } = {}, status: 200 | 422 = 200) {
  const deps = c.get('deps');
  const w = webhookView(await webhookFor(deps, principal(c), id));
  const cursor = c.req.query('cursor');
  const valid = cursor && /^\d{1,15}$/.test(cursor) ? Number(cursor) : undefined;
  const attempts = await webhookAttempts(deps, principal(c), id, PAGE, valid);
  return c.html(<WebhookPage v={await view(c, `${HERE}/${w.id}`)} w={w} attempts={attempts} first={valid === undefined} {...extra} />, status);
}

/** /admin/webhooks: installation-wide, like keys and suppressions, so only for a key that is not limited to lists. */
export const webhookRoutes = new Hono<ConsoleEnv>();
webhookRoutes.use('*', unlimitedOnly);

webhookRoutes.get('/', async (c) => page(c));

webhookRoutes.post('/', async (c) => {
  const f = await formFields(c);
  const draft: WebhookDraft = { url: f.url ?? '', events: webhookEventNames.filter((e) => f[`event_${e}`] === '1'), lists: f.lists ?? '' };
  try {
    const lists = draft.lists!.split(/[\s,]+/).filter(Boolean);
    const input = validate(newWebhook, { url: draft.url, events: draft.events, lists: lists.length ? lists : null });
    const { row, secret } = await createWebhook(c.get('deps'), principal(c), input);
    return c.html(<NewWebhookPage v={await view(c, HERE)} secret={secret} w={webhookView(row)} />);
  } catch (err) {
    if (!(err instanceof ApiError) || err.code !== 'invalid_input') throw err;
    return page(c, { problem: err.detail, draft }, 422);
  }
});

webhookRoutes.get('/:id', async (c) => detail(c, c.req.param('id')));

webhookRoutes.post('/:id/delete', async (c) => {
  const w = await webhookFor(c.get('deps'), principal(c), c.req.param('id'));
  await removeWebhook(c.get('deps'), principal(c), w.id);
  return page(c, { notice: tc(c.get('lang'), 'webhookDeleted', { url: w.url }) });
});

webhookRoutes.post('/:id/enable', async (c) => {
  const w = await enableWebhook(c.get('deps'), principal(c), c.req.param('id'));
  return detail(c, w.id, { notice: tc(c.get('lang'), 'webhookEnabled') });
});

webhookRoutes.post('/:id/replay', async (c) => {
  const id = c.req.param('id');
  const text = ((await formFields(c)).after ?? '').trim();
  const lang = c.get('lang');
  if (!/^\d{1,15}$/.test(text)) return detail(c, id, { problem: tc(lang, 'replayNotPosition') }, 422);
  try {
    await replayWebhook(c.get('deps'), principal(c), id, Number(text));
  } catch (err) {
    if (!(err instanceof ApiError) || err.code !== 'invalid_input') throw err;
    return detail(c, id, { problem: err.detail }, 422);
  }
  return detail(c, id, { notice: tc(lang, 'webhookReplayed', { after: text }) });
});
