import { Hono } from 'hono';
import type { Context } from 'hono';
import type { ConsoleEnv } from '../../deps';
import type { List } from '../../db/types';
import { ApiError } from '../../errors';
import { PREVIEW_POLICY, previewDocument, previewProblem } from '../../pages/admin/preview';
import { previewMail } from '../../services/mail-preview';
import { previewOfForm } from './settings-form';
import { consoleList, formFields } from './view';

/**
 * The preview frame's document: the mail as it would be sent now (GET: the saved settings; POST:
 * the form's fields merged over them, nothing saved). It is a document of its own, framed only by
 * the console, sandboxed, with a policy that allows the mail's inline styles and nothing more.
 */
async function answer(c: Context<ConsoleEnv>, list: List, draft: unknown) {
  const lang = c.get('lang');
  c.header('Content-Security-Policy', PREVIEW_POLICY);
  c.header('X-Frame-Options', 'SAMEORIGIN');
  try {
    return c.html(previewDocument(lang, await previewMail(c.get('deps'), list, draft)));
  } catch (err) {
    if (!(err instanceof ApiError) || err.code !== 'invalid_input') throw err;
    return c.html(previewProblem(lang, err.detail), 422);
  }
}

export const previewRoutes = new Hono<ConsoleEnv>()
  .get('/:list/preview', async (c) => answer(c, await consoleList(c), {}))
  .post('/:list/preview', async (c) => answer(c, await consoleList(c), previewOfForm(await formFields(c))));
