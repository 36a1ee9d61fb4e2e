import { createRoute } from '@hono/zod-openapi';
import * as z from 'zod';
import { principalOf } from '../../middleware/auth';
import { requireList } from '../../middleware/list';
import { putListSync, removeListSync, syncOf, syncView } from '../../services/resend-sync';
import { bodyProblems, dateTime, jsonAnswer, jsonObjectBody, jsonRequest, keyed, listParam, problems, v1Router } from './api';

const resendId = z.string().trim().min(1).max(100).regex(/^[A-Za-z0-9_-]+$/, 'a Resend id (letters, digits, - and _)');

const SyncDestination = z
  .strictObject({
    segment_id: resendId.openapi({ description: 'The Resend segment the list\'s confirmed addresses are contacts in.', example: '78261eea-8f8b-4381-83c6-79fa7120f1cf' }),
    topic_id: resendId.openapi({ description: 'The Resend topic a confirmed address is opted in to, and opted out of when it leaves.', example: 'b6d24b8e-af0b-4c3c-be0c-359bbd97381e' }),
  })
  .openapi('SyncDestination');

const nullableTime = dateTime.nullable();
const Sync = z
  .object({
    list: z.string(),
    provider: z.literal('resend'),
    segment_id: z.string(),
    topic_id: z.string(),
    status: z.enum(['active', 'failing', 'disabled']).openapi({ description: '`failing`: calls fail since `failing_since`; `disabled` after failing for WEBHOOK_DISABLE_AFTER_DAYS.' }),
    position: z.number().int().openapi({ description: 'The last feed position turned into contact operations.' }),
    feed_head: z.number().int().openapi({ description: 'The newest feed position: the backlog is caught up when `position` reaches it and `pending` is 0.' }),
    pending: z.number().int().openapi({ description: 'Contact operations waiting (paced, or backing off after a failure).' }),
    synced: z.number().int().openapi({ description: 'Operations done (kept RETENTION_WEBHOOK_DELIVERIES_DAYS).' }),
    failed: z.number().int().openapi({ description: 'Operations given up after their last retry.' }),
    created_at: dateTime,
    last_success_at: nullableTime,
    last_failure_at: nullableTime,
    failing_since: nullableTime,
    disabled_at: nullableTime,
    disabled_reason: z.string().nullable(),
  })
  .openapi('Sync');

const admin = keyed({ scope: 'admin' });
const tags = ['Sync'];

/** A list's Resend contact sync: where its confirmed addresses go, and how far the backlog is. */
export const syncRoutes = v1Router()
  .openapi(
    createRoute({
      method: 'get',
      path: '/{list}/sync',
      summary: "A list's Resend contact sync",
      description: 'Its destination, health and progress (operations pending, synced, failed). 404 when the list is not synced.',
      tags,
      ...admin,
      request: { params: listParam },
      responses: { 200: jsonAnswer(Sync, 'The sync.'), ...problems(404) },
    }),
    async (c) => {
      const deps = c.get('deps');
      return c.json(await syncView(deps, await syncOf(deps, await requireList(c))), 200);
    },
  )
  .openapi(
    createRoute({
      method: 'put',
      path: '/{list}/sync',
      summary: 'Sync a list to Resend contacts',
      description:
        'Confirmed addresses become contacts in the segment, opted in to the topic; unsubscribes opt out, suppressions set the contact-wide `unsubscribed`, erasures delete the contact. The list\'s existing subscriptions are the backlog, paced by RESEND_SYNC_PER_SECOND behind confirmation mail. Another destination re-syncs the list there. 503 without RESEND_API_KEY.',
      tags,
      middleware: [...admin.middleware, jsonObjectBody],
      security: admin.security,
      request: { params: listParam, ...jsonRequest(SyncDestination, 'The Resend segment and topic.') },
      responses: { 200: jsonAnswer(Sync, 'The sync was already there or was re-pointed.'), 201: jsonAnswer(Sync, 'The list is synced from now on.'), ...problems(404, 503, ...bodyProblems) },
    }),
    async (c) => {
      const deps = c.get('deps');
      const { row, created } = await putListSync(deps, await requireList(c), c.req.valid('json'), principalOf(c).id);
      return c.json(await syncView(deps, row), created ? 201 : 200);
    },
  )
  .openapi(
    createRoute({
      method: 'delete',
      path: '/{list}/sync',
      summary: 'Stop syncing a list',
      description: 'Nothing more is written to Resend for the list; its contacts there stay as they are.',
      tags,
      ...admin,
      request: { params: listParam },
      responses: { 204: { description: 'The list is not synced any more.' }, ...problems(404) },
    }),
    async (c) => {
      await removeListSync(c.get('deps'), await requireList(c), principalOf(c).id);
      return c.body(null, 204);
    },
  );
