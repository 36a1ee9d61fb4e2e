import { createRoute } from '@hono/zod-openapi';
import * as z from 'zod';
import { principalOf } from '../../middleware/auth';
import { requireList } from '../../middleware/list';
import { previewMail, previewSchema, sendTestMail } from '../../services/mail-preview';
import { bodyProblems, jsonAnswer, jsonObjectBody, jsonRequest, keyed, listParam, problems, v1Router } from './api';

const Mail = z
  .object({ subject: z.string(), html: z.string(), text: z.string() })
  .openapi('MailPreview', { description: 'The confirmation mail as it would be sent now, with sample data (its links confirm nobody).' });

const preview = keyed({ scope: 'admin' });
const testMail = keyed({ scope: 'admin', crossList: true });

/** A list's confirmation mail: preview (settings merged over the saved ones, not saved) and a test mail. */
export const mailRoutes = v1Router()
  .openapi(
    createRoute({
      method: 'post',
      path: '/{list}/preview',
      summary: 'Preview the confirmation mail',
      description: 'The mail as it would be sent now, with sample data. List fields in the body (name, from, language, confirmation_mail, reply_to, mail_footer) are merged over the saved settings without saving them.',
      tags: ['Lists'],
      middleware: [...preview.middleware, jsonObjectBody],
      security: preview.security,
      request: { params: listParam, ...jsonRequest(previewSchema.openapi('PreviewDraft'), 'Fields to try out; {} for the saved settings.') },
      responses: { 200: jsonAnswer(Mail, 'The rendered mail.'), ...problems(404, ...bodyProblems) },
    }),
    async (c) => c.json(await previewMail(c.get('deps'), await requireList(c), c.req.valid('json')), 200),
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/{list}/test-mail',
      summary: 'Send a test of the confirmation mail',
      description:
        'Queues the confirmation mail, with sample links, to an operator\'s address. A suppressed address gets none (422); a few in a row per key, then one every 10 minutes (429). Needs a key not limited to lists.',
      tags: ['Lists'],
      middleware: [...testMail.middleware, jsonObjectBody],
      security: testMail.security,
      request: { params: listParam, ...jsonRequest(z.object({ to: z.string() }).strict().openapi('TestMail'), 'Where to send it.') },
      responses: { 202: jsonAnswer(z.object({ status: z.literal('queued'), to: z.string() }), 'Queued; the outbox sends it.'), ...problems(404, 429, ...bodyProblems) },
    }),
    async (c) => {
      const list = await requireList(c);
      const { to } = await sendTestMail(c.get('deps'), list, c.req.valid('json').to, principalOf(c).id);
      return c.json({ status: 'queued' as const, to }, 202);
    },
  );
