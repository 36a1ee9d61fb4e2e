import type { ConfirmationMailText, OutboxMessage } from '../db/types';
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
  kind: 'confirmation' | 'reminder' | 'test';
  lang: Lang;
  listName: string;
  from: string;
  replyTo?: string | null;
  to: string;
  name: string | null;
  /** The list's own words; missing ones come from the list's language. */
  text?: ConfirmationMailText | null;
  footer?: string | null;
  confirmUrl: string;
  notMeUrl: string;
  /** How long the link still works, in hours. */
  validHours: number;
};

const fillListName = (text: string, list: string) => text.replace(/\{\{\s*list_name\s*\}\}/g, list);
const paragraphs = (text: string) => text.split(/\n\s*\n/).map((p) => p.trim()).filter(Boolean);

/** What the mail says, as plain text pieces, before HTML or text layout. */
function wording(m: ConfirmationMail) {
  const list = headerSafe(m.listName);
  const own = m.text ?? {};
  const name = mailSafeName(m.name);
  const reminder = m.kind === 'reminder';
  const subject = headerSafe(fillListName(own.subject ?? '', list)) || t(m.lang, 'mailSubject', { list });
  return {
    list,
    subject: reminder ? t(m.lang, 'mailReminderSubject', { list }) : subject,
    preheader: t(m.lang, 'mailPreheader', { list }),
    greeting: name ? t(m.lang, 'mailGreeting', { name }) : t(m.lang, 'mailGreetingPlain'),
    intro: paragraphs(reminder ? t(m.lang, 'mailReminderBody', { list }) : own.intro ? fillListName(own.intro, list) : t(m.lang, 'mailBody', { list })),
    button: headerSafe(fillListName(own.button ?? '', list)) || t(m.lang, 'mailButton'),
    copyLink: t(m.lang, 'mailCopyLink'),
    expiry: `${t(m.lang, 'mailExpiry', { hours: Math.max(1, Math.round(m.validHours)) })} ${t(m.lang, 'mailIgnore')}`,
    notMe: t(m.lang, 'mailNotMe'),
    footer: paragraphs(m.footer ? fillListName(m.footer, list) : t(m.lang, 'mailFooterDefault', { list })),
    testNote: m.kind === 'test' ? t(m.lang, 'mailTestNote') : null,
  };
}

/**
 * The confirmation mail (or its one reminder), HTML and plain text, in the list's language and
 * words. Whatever the list's settings say, listgate adds the button, the link as copyable text and
 * the "this wasn't me" link. The HTML is the markup mail clients render well: a centred table
 * layout with inline styles, a hidden preheader, a button that is a table cell (Outlook draws it
 * from VML), and colours that follow dark mode where the client supports `prefers-color-scheme`.
 * Everything a list or a subscriber typed is escaped text.
 */
export function renderConfirmation(m: ConfirmationMail): OutboxMessage {
  const w = wording(m);
  const e = escapeHtml;
  const para = (text: string, style = 'margin:0 0 16px') => `<p style="${style}">${e(text).replace(/\n/g, '<br>')}</p>`;
  const text = [
    ...(w.testNote ? [w.testNote, ''] : []),
    w.greeting,
    '',
    ...w.intro.flatMap((p) => [p, '']),
    `${w.button}:`,
    m.confirmUrl,
    '',
    w.expiry,
    '',
    `${w.notMe}:`,
    m.notMeUrl,
    '',
    '-- ',
    ...w.footer,
    '',
  ].join('\n');
  const html = `<!doctype html>
<html lang="${m.lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark"><meta name="supported-color-schemes" content="light dark">
<title>${e(w.subject)}</title>
<style>
@media (prefers-color-scheme: dark) {
  .lg-body, .lg-page { background:#111418 !important; }
  .lg-card { background:#1c2026 !important; }
  .lg-text, .lg-text p { color:#e8eaed !important; }
  .lg-muted, .lg-muted p, .lg-muted a { color:#aab1bb !important; }
  .lg-link { color:#8ab4f8 !important; }
}
@media (max-width:480px) { .lg-card { padding:20px !important; } }
</style>
<!--[if mso]><style>table,td{font-family:Arial,sans-serif !important;}</style><![endif]-->
</head>
<body class="lg-body" style="margin:0;padding:0;background:#f4f5f7;-webkit-text-size-adjust:100%">
<div style="display:none;max-height:0;overflow:hidden;mso-hide:all;font-size:1px;line-height:1px;color:#f4f5f7">${e(w.preheader)}&#8199;&#847;&#8199;&#847;&#8199;&#847;&#8199;&#847;&#8199;&#847;&#8199;&#847;</div>
<table role="presentation" class="lg-page" width="100%" cellpadding="0" cellspacing="0" border="0" style="background:#f4f5f7">
<tr><td align="center" style="padding:24px 12px">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="max-width:560px">
<tr><td class="lg-card lg-text" style="background:#ffffff;border-radius:8px;padding:32px;font-family:-apple-system,'Segoe UI',Roboto,'Hiragino Sans','Noto Sans JP',Arial,sans-serif;font-size:16px;line-height:1.6;color:#1a1a1a">
${w.testNote ? para(w.testNote, 'margin:0 0 16px;padding:8px 12px;background:#fff7d6;color:#5c4a00;border-radius:4px;font-size:14px') : ''}
${para(w.greeting)}
${w.intro.map((p) => para(p)).join('\n')}
<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin:24px 0"><tr><td align="center" bgcolor="#1d4ed8" style="border-radius:6px">
<!--[if mso]><v:roundrect xmlns:v="urn:schemas-microsoft-com:vml" href="${e(m.confirmUrl)}" style="height:48px;v-text-anchor:middle;width:280px" arcsize="12%" stroke="f" fillcolor="#1d4ed8"><center style="color:#ffffff;font-family:Arial,sans-serif;font-size:16px;font-weight:bold">${e(w.button)}</center></v:roundrect><![endif]-->
<!--[if !mso]><!--><a href="${e(m.confirmUrl)}" style="display:inline-block;padding:14px 28px;font-size:16px;font-weight:bold;color:#ffffff;text-decoration:none;border-radius:6px;background:#1d4ed8">${e(w.button)}</a><!--<![endif]-->
</td></tr></table>
<div class="lg-muted" style="font-size:14px;color:#555555">
${para(w.copyLink, 'margin:0 0 4px')}
<p style="margin:0 0 16px;word-break:break-all"><a class="lg-link" href="${e(m.confirmUrl)}" style="color:#1d4ed8">${e(m.confirmUrl)}</a></p>
${para(w.expiry)}
<p style="margin:0 0 16px"><a href="${e(m.notMeUrl)}" style="color:#555555">${e(w.notMe)}</a></p>
</div>
</td></tr>
<tr><td class="lg-muted" style="padding:16px 32px;font-family:Arial,sans-serif;font-size:12px;line-height:1.5;color:#4b5563">
${w.footer.map((p) => para(p, 'margin:0 0 8px')).join('\n')}
</td></tr>
</table>
</td></tr></table>
</body></html>`;
  return {
    from: headerSafe(m.from),
    to: headerSafe(m.to),
    ...(m.replyTo ? { replyTo: headerSafe(m.replyTo) } : {}),
    subject: w.subject,
    html,
    text,
  };
}
