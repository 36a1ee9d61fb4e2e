import type { RecordedRequest, SentMail } from './types';
import { parseAddress, toList } from './validate';

/** Accepted mails as a test reads them: bare recipients, the links a reader would click. */

function decodeEntities(s: string): string {
  return s.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;|&apos;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>');
}

/** URLs in html (href) and text, in order, de-duplicated. */
export function extractLinks(html?: string, text?: string): string[] {
  const out: string[] = [];
  const add = (u: string) => void (out.includes(u) || out.push(u));
  for (const m of html?.matchAll(/href\s*=\s*(?:"([^"]*)"|'([^']*)')/gi) ?? []) {
    const u = decodeEntities(m[1] ?? m[2] ?? '');
    if (/^https?:\/\//i.test(u)) add(u);
  }
  for (const m of text?.matchAll(/https?:\/\/[^\s<>"')\]]+/g) ?? []) add(m[0].replace(/[.,;:!?]+$/, ''));
  return out;
}

/** One validated mail of the request `rec` as it is stored. */
export function sentMail(raw: Record<string, unknown>, rec: RecordedRequest, batchIndex: number | null): SentMail {
  const to = toList(raw.to) ?? [];
  const cc = toList(raw.cc) ?? [];
  const bcc = toList(raw.bcc) ?? [];
  const html = typeof raw.html === 'string' ? raw.html : undefined;
  const text = typeof raw.text === 'string' ? raw.text : undefined;
  return {
    id: crypto.randomUUID(),
    from: raw.from as string,
    to,
    cc,
    bcc,
    replyTo: toList(raw.reply_to) ?? [],
    subject: typeof raw.subject === 'string' ? raw.subject : '',
    html,
    text,
    headers: (raw.headers as Record<string, string> | undefined) ?? {},
    tags: (raw.tags as { name: string; value: string }[] | undefined) ?? [],
    scheduledAt: typeof raw.scheduled_at === 'string' ? raw.scheduled_at : undefined,
    attachments: Array.isArray(raw.attachments) ? raw.attachments : undefined,
    topicId: typeof raw.topic_id === 'string' ? raw.topic_id : undefined,
    template: raw.template,
    recipients: [...to, ...cc, ...bcc].map((a) => parseAddress(a)!.toLowerCase()),
    links: extractLinks(html, text),
    idempotencyKey: rec.idempotencyKey,
    requestSeq: rec.seq,
    batchIndex,
    createdAt: new Date().toISOString(),
    raw,
  };
}

/** A stored mail as `GET /emails/{id}` answers it. */
export function emailObject(m: SentMail) {
  return {
    object: 'email',
    id: m.id,
    to: m.to,
    from: m.from,
    created_at: m.createdAt,
    subject: m.subject,
    html: m.html ?? null,
    text: m.text ?? null,
    bcc: m.bcc.length ? m.bcc : null,
    cc: m.cc.length ? m.cc : null,
    reply_to: m.replyTo.length ? m.replyTo : null,
    last_event: m.scheduledAt ? 'scheduled' : 'delivered',
    scheduled_at: m.scheduledAt ?? null,
    tags: m.tags,
  };
}
