import { html, raw } from 'hono/html';
import { type Lang, t } from '../i18n/messages';

export type SnippetList = { slug: string; name: string; language: Lang; turnstileSiteKey?: string | null; consentText?: string | null };

/**
 * The HTML an operator pastes into another site: a plain form that works with no JavaScript
 * (the browser posts it and lands on the hosted "check your inbox" page or the list's redirect),
 * then `/embed.js`, which turns it into an inline, fetch-based form.
 * Values are escaped by hono/html; the honeypot is hidden with the `hidden` attribute so the
 * embedding site needs no inline style (its CSP may forbid them).
 */
export function embedSnippet(publicUrl: string, list: SnippetList): string {
  const base = publicUrl.replace(/\/+$/, '');
  const id = `listgate-${list.slug}-email`;
  const sitekey = list.turnstileSiteKey ? raw(` data-turnstile-sitekey="${escapeAttr(list.turnstileSiteKey)}"`) : '';
  // The wording the person agrees to, under the button as on the hosted page (kept with their signup).
  const consent = list.consentText ? html`\n  <p data-listgate-consent>${t(list.language, 'consentLabel')} ${list.consentText}</p>` : '';
  return html`<form data-listgate action="${base}/lists/${list.slug}/subscribe" method="post" lang="${list.language}"${sitekey}>
  <label for="${id}">${t(list.language, 'emailLabel')}</label>
  <input id="${id}" name="email" type="email" required autocomplete="email" maxlength="254">
  <input name="_gotcha" type="text" tabindex="-1" autocomplete="off" aria-hidden="true" hidden>
  <button type="submit">${t(list.language, 'subscribe')}</button>${consent}
</form>
<script src="${base}/embed.js" defer></script>
`.toString();
}

function escapeAttr(s: string): string {
  return s.replace(/[&"<>]/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
