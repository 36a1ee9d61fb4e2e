import { html } from 'hono/html';
import { tc } from '../../i18n/console';
import type { Lang } from '../../i18n/messages';

/** The policy of the preview document: the mail's own inline styles, nothing else, and no script (sandboxed). */
export const PREVIEW_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'self'; sandbox";

const BOX = 'font:14px/1.5 system-ui,sans-serif;color:#111;background:#eef2ff;padding:8px 12px;border-bottom:1px solid #c7d2fe';

/**
 * The confirmation mail as the preview frame shows it: the mail's own HTML, with its subject
 * above and its plain-text part below (all escaped here; the HTML part is listgate's own template).
 */
export function previewDocument(lang: Lang, mail: { subject: string; html: string; text: string }): string {
  const head = html`<div lang="${lang}" style="${BOX}"><strong>${tc(lang, 'previewSubject')}:</strong> <span id="preview-subject">${mail.subject}</span></div>`;
  const tail = html`<div lang="${lang}" style="${BOX};border-top:1px solid #c7d2fe"><strong>${tc(lang, 'previewText')}</strong><pre style="white-space:pre-wrap;font:13px/1.5 ui-monospace,monospace">${mail.text}</pre></div>`;
  return mail.html.replace(/<body[^>]*>/i, (body) => `${body}${head}`).replace(/<\/body>/i, `${tail}</body>`);
}

/** What the frame shows when the fields cannot make a mail yet (the form shows the details once saved). */
export function previewProblem(lang: Lang, detail: string): string {
  return html`<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><title>${tc(lang, 'previewTitle')}</title></head><body><div style="${BOX}"><strong>${tc(lang, 'invalidTitle')}</strong><p>${detail}</p></div></body></html>`.toString();
}
