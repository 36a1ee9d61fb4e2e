/**
 * The source of GET /embed.js, kept as text so both runtimes serve it without a file system.
 *
 * It enhances every `<form data-listgate action=".../lists/{list}/subscribe" method="post">` on
 * the page. Why it is shaped this way:
 * - The body is JSON, so the browser sends a CORS preflight first. An origin the list does not
 *   allow fails the preflight before anything is processed, and the script falls back to a plain
 *   form submit (which every origin may make): the signup still works and is never sent twice.
 * - Messages come from the form's language (`lang` on the form or the document), en or ja;
 *   `data-success-message` overrides the success text.
 * - Turnstile: only when the form carries `data-turnstile-sitekey` is Cloudflare's api.js loaded
 *   (explicit rendering into a box before the submit button). The widget puts its answer into a
 *   `cf-turnstile-response` field of the form, so it travels with the other fields; the widget is
 *   reset after each answer because a token can be used once.
 * No dependencies and ES2017 only, so it runs on any browser the embedding site supports.
 */
export const embedScript = String.raw`/* listgate embed.js: enhances <form data-listgate>. No dependencies. */
(function () {
  'use strict';
  var T = {
    en: {
      sending: 'Sending…',
      ok: 'Almost done: we sent you an email. Open the link in it to confirm your subscription.',
      invalid: 'Please check the email address.',
      mean: 'Did you mean {s}?',
      fix: 'Yes, use {s}',
      slow: 'Too many attempts from here. Please try again in {m} minutes.',
      failed: 'Something went wrong. Please try again.'
    },
    ja: {
      sending: '送信中…',
      ok: 'あと少しです。確認メールをお送りしました。メール内のリンクを開いて登録を完了してください。',
      invalid: 'メールアドレスをご確認ください。',
      mean: '{s} の間違いではありませんか？',
      fix: '{s} を使う',
      slow: '試行回数が多すぎます。{m} 分ほどおいてからもう一度お試しください。',
      failed: 'エラーが発生しました。もう一度お試しください。'
    }
  };
  var TS_API = 'https://challenges.cloudflare.com/turnstile/v0/api.js?render=explicit';
  var tsQueue = null;
  var seq = 0;

  function fill(s, k, v) { return s.split('{' + k + '}').join(v); }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text) e.textContent = text;
    return e;
  }

  function withTurnstile(fn) {
    if (window.turnstile) return fn();
    if (tsQueue) return tsQueue.push(fn);
    tsQueue = [fn];
    var s = document.createElement('script');
    s.src = TS_API;
    s.async = true;
    s.onload = function () { var q = tsQueue; tsQueue = []; q.forEach(function (f) { f(); }); };
    document.head.appendChild(s);
  }

  function enhance(form) {
    if (form.listgate) return;
    var lang = ((form.closest('[lang]') || {}).lang || 'en').slice(0, 2).toLowerCase();
    var t = T[lang] || T.en;
    var status = form.querySelector('[data-listgate-status]');
    if (!status) {
      status = el('div', 'listgate-status');
      form.appendChild(status);
    }
    status.id = status.id || 'listgate-status-' + (++seq);
    status.setAttribute('role', 'status');
    status.setAttribute('aria-live', 'polite');
    var state = form.listgate = { t: t, status: status, widget: null };
    var key = form.getAttribute('data-turnstile-sitekey');
    if (key) {
      var box = el('div', 'listgate-turnstile');
      var button = form.querySelector('[type=submit]');
      if (button) button.parentNode.insertBefore(box, button); else form.appendChild(box);
      withTurnstile(function () { state.widget = window.turnstile.render(box, { sitekey: key }); });
    }
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      send(form);
    });
  }

  function say(form, kind, text, suggestion) {
    var st = form.listgate;
    var email = form.elements.email;
    st.status.textContent = '';
    st.status.setAttribute('aria-live', kind === 'error' ? 'assertive' : 'polite');
    st.status.className = 'listgate-status listgate-' + kind;
    st.status.appendChild(el('p', '', text));
    if (email) {
      if (kind === 'error') {
        email.setAttribute('aria-invalid', 'true');
        email.setAttribute('aria-describedby', st.status.id);
      } else {
        email.removeAttribute('aria-invalid');
      }
    }
    if (suggestion && email) {
      st.status.appendChild(el('p', '', fill(st.t.mean, 's', suggestion)));
      var fix = el('button', 'listgate-fix', fill(st.t.fix, 's', suggestion));
      fix.type = 'button';
      fix.addEventListener('click', function () {
        email.value = suggestion;
        email.focus();
        send(form);
      });
      st.status.appendChild(fix);
    }
  }

  function send(form) {
    var st = form.listgate;
    if (st.busy) return;
    var data = {};
    new FormData(form).forEach(function (v, k) { if (typeof v === 'string') data[k] = v; });
    var button = form.querySelector('[type=submit]');
    st.busy = true;
    form.setAttribute('aria-busy', 'true');
    if (button) button.disabled = true;
    say(form, 'sending', st.t.sending);
    function done() {
      st.busy = false;
      form.removeAttribute('aria-busy');
      if (button) button.disabled = false;
      if (st.widget !== null && window.turnstile) window.turnstile.reset(st.widget);
    }
    fetch(new URL(form.getAttribute('action') || '', location.href).href, {
      method: 'POST',
      mode: 'cors',
      credentials: 'omit',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(data)
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (body) {
        done();
        answer(form, res, body || {});
      });
    }, function () {
      // Network error or an origin the list does not allow: let the browser post the form itself.
      done();
      st.status.textContent = '';
      HTMLFormElement.prototype.submit.call(form);
    });
  }

  function answer(form, res, body) {
    var t = form.listgate.t;
    if (res.ok) {
      form.reset();
      return say(form, 'ok', form.getAttribute('data-success-message') || t.ok);
    }
    if (res.status === 429) {
      var secs = parseInt(res.headers.get('Retry-After') || '', 10);
      return say(form, 'error', fill(t.slow, 'm', String(Math.max(1, Math.ceil((secs || 60) / 60)))));
    }
    if (res.status === 422) {
      var first = (body.errors || [])[0] || {};
      var text = t === T.en && first.message && first.code !== 'typo' ? first.message : t.invalid;
      return say(form, 'error', text, typeof body.suggestion === 'string' ? body.suggestion : null);
    }
    say(form, 'error', t === T.en && body.detail ? body.detail : t.failed);
  }

  function start() {
    var forms = document.querySelectorAll('form[data-listgate]');
    for (var i = 0; i < forms.length; i++) enhance(forms[i]);
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
`;
