import type { OutboxMessage } from '../../src/db/schema';
import { createResendFake } from '../support/fakes/resend/core';

/**
 * The Resend API the worker under test sends to (RESEND_BASE_URL): the same imitation the Node
 * suites reach over HTTP, answering workerd's fetch (routed in setup.ts), with its idempotency
 * keys, permissive batches and 429/5xx behaviour.
 */
export const resend = createResendFake();

/** Accepted mails from the `from`-th on, one per recipient, as the outbox held them. */
export const sentSince = (from: number): OutboxMessage[] =>
  resend.sent.slice(from).flatMap((m) => m.to.map((to) => ({ from: m.from, to, subject: m.subject, html: m.html ?? '', text: m.text ?? '', headers: m.headers })));
