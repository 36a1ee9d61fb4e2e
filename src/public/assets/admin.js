// The operator console's only script: small enhancements of pages that work without it.
// Served by listgate itself (CSP script-src 'self'); no framework, no inline code.
(() => {
  'use strict';

  // Live mail preview: while someone types in the settings form, the form is posted into the
  // preview frame, exactly as its "Preview" button does (the same request, the same CSRF token).
  for (const button of document.querySelectorAll('[data-preview-button]')) {
    const form = button.form;
    if (!form) continue;
    let timer;
    const refresh = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        if (form.checkValidity()) form.requestSubmit(button);
      }, 400);
    };
    form.addEventListener('input', refresh);
    form.addEventListener('change', refresh);
  }

  // Copy buttons: hidden without this script; they copy the text of the element they name and say so.
  for (const button of document.querySelectorAll('[data-copy]')) {
    const source = document.getElementById(button.dataset.copy);
    const status = button.parentElement && button.parentElement.querySelector('.copy-status');
    if (!source) continue;
    button.hidden = false;
    button.addEventListener('click', async () => {
      const text = source.textContent || '';
      let copied = true;
      try {
        await navigator.clipboard.writeText(text);
      } catch {
        copied = false;
        // No clipboard access: select the text so that the keyboard's copy works.
        const range = document.createRange();
        range.selectNodeContents(source);
        const selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
      }
      if (status) status.textContent = copied ? button.dataset.copied || '' : '';
    });
  }
})();
