import { eq } from 'drizzle-orm';
import type { Deps } from '../../src/deps';
import { pushDeliveries } from '../../src/db/schema';
import { pushDue } from '../../src/push/dispatch';
import { pacedCall, resendSyncClient, resendSyncSenders } from '../../src/push/resend-sync';
import { syncPacer } from '../../src/push/sync-pacer';
import { startResendImitation } from './fakes/resend/node';
import { testApp } from './app';
import { ADMIN, adminEnv, api, type Json } from './operator';
import { RESEND_SECRET } from './webhooks';

/**
 * The app with Resend contact sync pointed at a local imitation (real SDK), a segment and a topic
 * made there, and the push machinery as the loops run it: `run()` fans out and sends what is due.
 */
export async function syncHarness(env: Record<string, string> = {}, overrides: (baseUrl: string) => Partial<Deps> = () => ({})) {
  const resend = await startResendImitation();
  const t = await testApp(
    { ...adminEnv, RESEND_API_KEY: 're_test', RESEND_BASE_URL: resend.baseUrl, RESEND_WEBHOOK_SECRET: RESEND_SECRET, RESEND_SYNC_PER_SECOND: '1000', MAIL_FROM: 'listgate <news@example.com>', ...env },
    overrides(resend.baseUrl),
  );
  const segment = resend.contacts.addSegment('Newsletter');
  const topic = resend.contacts.addTopic('Newsletter', 'opt_out');
  const senders = resendSyncSenders(t.deps.config, 1000);
  const contactCalls = () => resend.requests.filter((r) => /^\/(contacts|segments|topics)/.test(r.path));
  return {
    ...t,
    resend,
    segment,
    topic,
    contactCalls,
    /** Points `list` at a Resend segment and topic (this harness's unless given). */
    sync: async (list = 'newsletter', to: { segment_id: string; topic_id: string } = { segment_id: segment, topic_id: topic }): Promise<Json> => {
      const res = await api(t, 'PUT', `/v1/lists/${list}/sync`, ADMIN, to);
      if (res.status !== 201 && res.status !== 200) throw new Error(`sync: ${res.status} ${await res.text()}`);
      return res.json();
    },
    progress: async (list = 'newsletter'): Promise<Json> => (await api(t, 'GET', `/v1/lists/${list}/sync`)).json(),
    run: () => pushDue(t.deps, senders, 100),
    /** Every waiting delivery becomes due now (its backoff has passed). */
    dueNow: () => t.deps.db.update(pushDeliveries).set({ nextAttemptAt: t.clock.now() }).where(eq(pushDeliveries.state, 'queued')),
    /** The paced Resend caller the CLI builds. */
    call: () => pacedCall(t.deps, syncPacer({ perSecond: 1000, maxWaitMs: 1000 }), true),
    client: () => resendSyncClient(t.deps.config)!,
    /** The topic subscription of a contact, or undefined when no such contact. */
    topicOf: (email: string) => {
      const c = resend.contacts.find(email);
      return c && (c.topics.get(topic) ?? 'opt_out');
    },
    close: () => resend.close(),
  };
}
export type SyncHarness = Awaited<ReturnType<typeof syncHarness>>;
