import type { OutboxMessage } from '../db/schema';
import { type Lang, t } from '../i18n/messages';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ESCAPES[c]);

/**
 * A typed name goes into a mail only when it looks like a name: letters, marks, spaces,
 * apostrophes and hyphens (no periods: "evil.com" would become a link). Anything a mail client could turn into a link
 * (dots between words, slashes, @, digits runs) or that carries markup is left out entirely.
 */
export function mailSafeName(name: string | null | undefined): string | null {
  if (!name) return null;
  const n = name.normalize('NFC').trim();
  if (n.length === 0 || n.length > 60) return null;
  if (!/^[\p{L}\p{M}][\p{L}\p{M}\p{Zs}'’-]*$/u.test(n)) return null;
  return n.replace(/\s+/g, ' ');
}

/** Removes CR/LF and other control characters from anything that could end up in a header. */
export const headerSafe = (s: string) => s.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').trim();

export type ConfirmationMail = {
  lang: Lang;
  listName: string;
  from: string;
  to: string;
  name: string | null;
  confirmUrl: string;
  notMeUrl: string;
  ttlHours: number;
};

/** The confirmation mail, HTML and plain text, in the list's language. */
export function renderConfirmation(m: ConfirmationMail): OutboxMessage {
  const list = headerSafe(m.listName);
  const name = mailSafeName(m.name);
  const greeting = name ? t(m.lang, 'mailGreeting', { name }) : t(m.lang, 'mailGreetingPlain');
  const body = t(m.lang, 'mailBody', { list });
  const expiry = t(m.lang, 'mailExpiry', { hours: Number(m.ttlHours.toFixed(2)) });
  const ignore = t(m.lang, 'mailIgnore');
  const text = [greeting, '', body, '', m.confirmUrl, '', expiry, ignore, '', `${t(m.lang, 'mailNotMe')}:`, m.notMeUrl, ''].join('\n');
  const html = `<!doctype html><html lang="${m.lang}"><head><meta charset="utf-8"><title>${escapeHtml(t(m.lang, 'mailSubject', { list }))}</title></head>
<body style="font-family:system-ui,sans-serif;line-height:1.5;color:#1a1a1a;max-width:560px;margin:0 auto;padding:16px">
<p>${escapeHtml(greeting)}</p>
<p>${escapeHtml(body)}</p>
<p><a href="${escapeHtml(m.confirmUrl)}" style="display:inline-block;background:#1d4ed8;color:#fff;padding:12px 20px;border-radius:6px;text-decoration:none">${escapeHtml(t(m.lang, 'mailButton'))}</a></p>
<p style="font-size:14px;color:#444">${escapeHtml(expiry)} ${escapeHtml(ignore)}</p>
<p style="font-size:13px;color:#666"><a href="${escapeHtml(m.notMeUrl)}" style="color:#666">${escapeHtml(t(m.lang, 'mailNotMe'))}</a></p>
</body></html>`;
  return {
    from: headerSafe(m.from),
    to: headerSafe(m.to),
    subject: t(m.lang, 'mailSubject', { list }),
    html,
    text,
  };
}
