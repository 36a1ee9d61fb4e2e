import { Hono } from 'hono';
import type { Context } from 'hono';
import type { ConsoleEnv } from '../../deps';
import { ApiError } from '../../errors';
import { tc } from '../../i18n/console';
import { SuppressionsPage } from '../../pages/admin/suppressions';
import { addSuppression, liftSuppression, suppressionPage } from '../../services/suppressions';
import { actor, formFields, unlimitedOnly, view } from './view';

const HERE = '/admin/suppressions';
const PAGE = 50;
const CURSOR = /^\d{1,16}\.[0-9a-f]{64}$/;

async function page(c: Context<ConsoleEnv>, extra: { notice?: string; problem?: string; email?: string } = {}, status: 200 | 404 | 409 | 422 = 200) {
  const cursor = c.req.query('cursor');
  const valid = cursor && CURSOR.test(cursor) ? cursor : undefined;
  const data = await suppressionPage(c.get('deps'), PAGE, valid);
  return c.html(<SuppressionsPage v={await view(c, HERE)} page={data} first={!valid} {...extra} />, status);
}

/** Runs a suppression change; its refusals (not an address, not suppressed, needs force) come back on the page. */
async function attempt(c: Context<ConsoleEnv>, work: () => Promise<string>, email: string) {
  try {
    return page(c, { notice: await work() });
  } catch (err) {
    if (!(err instanceof ApiError) || !['invalid_input', 'not_found', 'conflict'].includes(err.code)) throw err;
    const lang = c.get('lang');
    const problem = err.code === 'conflict' ? tc(lang, 'needsForce') : err.detail;
    return page(c, { problem, email }, err.status as 404 | 409 | 422);
  }
}

/** /admin/suppressions: the global list spans lists, so only a key that is not limited to lists sees it. */
export const suppressionRoutes = new Hono<ConsoleEnv>();
suppressionRoutes.use('*', unlimitedOnly);

suppressionRoutes.get('/', async (c) => page(c));

suppressionRoutes.post('/', async (c) => {
  const email = (await formFields(c)).email ?? '';
  return attempt(c, async () => tc(c.get('lang'), (await addSuppression(c.get('deps'), email, actor(c))).existed ? 'suppressionExisted' : 'suppressionAdded'), email);
});

suppressionRoutes.post('/lift', async (c) => {
  const { email = '', force } = await formFields(c);
  return attempt(
    c,
    async () => {
      await liftSuppression(c.get('deps'), email, force === '1', actor(c));
      return tc(c.get('lang'), 'suppressionLifted');
    },
    email,
  );
});
