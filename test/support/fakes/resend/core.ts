import { authError, routeError } from './access';
import { contactStore } from './contacts';
import { faultAnswer, faultState } from './faults';
import { idempotencyStore } from './idempotency';
import { errorFor } from './errors';
import { emailObject, sentMail } from './mails';
import { rollingWindow } from './rate-limit';
import type { FakeAnswer, FakeRequest, RecordedRequest, RequestOutcome, ResendErrorBody, ResendFake, ResendFakeOptions, SentMail } from './types';
import { parseAddress, validateSend } from './validate';
import { waiters } from './waiters';

/**
 * The Resend HTTP API without a network, modelled on resend-node 6.38 and Resend's API docs:
 * `POST /emails` answers `{ id }`, `POST /emails/batch` answers `{ data: [{ id }] }` (plus
 * `errors: [{ index, message }]` under `x-batch-validation: permissive`), `GET /emails[/id]`
 * reads back. Runtime-neutral: node.ts serves it over node:http, fetch.ts as a fetch handler
 * inside workerd, so both runtimes meet the same behaviour through the real SDK.
 *
 * Order of checks per request: fault -> route (404/405) -> auth (401/403) -> rate limit (429)
 * -> JSON -> idempotency replay/conflict -> validation (422) -> latency and hold -> accept.
 */
export function createResendFake(opts: ResendFakeOptions = {}): ResendFake {
  const sent: SentMail[] = [];
  const requests: RecordedRequest[] = [];
  const keys = idempotencyStore();
  const rate = rollingWindow(opts.rateLimitPerSecond ?? null, opts.now ?? Date.now);
  const waiting = waiters();
  const timers = new Map<ReturnType<typeof setTimeout>, () => void>();
  const faults = faultState();
  const contacts = contactStore();
  let gate: { promise: Promise<void>; release: () => void } | null = null;
  let closed = false;
  let seq = 0;
  let answered = 0;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (ms <= 0 || closed) return resolve();
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.set(t, resolve);
    });

  function finish(rec: RecordedRequest, status: number | null, outcome: RequestOutcome, response: unknown) {
    Object.assign(rec, { status, outcome, response });
    if (response && typeof response === 'object' && 'name' in response && 'statusCode' in response) rec.errorName = String((response as ResendErrorBody).name);
    answered++;
    waiting.notify();
  }

  async function handle(req: FakeRequest, gone: () => boolean = () => false): Promise<FakeAnswer> {
    const method = req.method.toUpperCase();
    const path = req.path.replace(/\/+$/, '') || '/';
    const headers = req.headers;
    const rec: RecordedRequest = {
      seq: ++seq,
      method,
      path,
      headers,
      idempotencyKey: headers['idempotency-key'] ?? null,
      batchValidation: headers['x-batch-validation'] ?? null,
      mailCount: 0,
      acceptedCount: 0,
      status: null,
      outcome: 'pending',
      errorName: null,
      body: undefined,
      response: undefined,
      time: Date.now(),
    };
    requests.push(rec);
    waiting.notify();
    let parsed: unknown = undefined;
    let parseOk = true;
    try {
      if (req.body.length > 0) parsed = JSON.parse(req.body);
    } catch {
      parseOk = false;
    }
    rec.body = parsed;
    rec.mailCount = Array.isArray(parsed) ? parsed.length : parsed && typeof parsed === 'object' ? 1 : 0;

    const drop = (): FakeAnswer => {
      finish(rec, null, 'dropped', undefined);
      return { drop: true };
    };
    let dropAfterAccept = false;
    const reply = (status: number, body: unknown, outcome: RequestOutcome, extra: Record<string, string> = {}): FakeAnswer => {
      if (dropAfterAccept || closed || gone()) return drop();
      finish(rec, status, outcome, body);
      return { drop: false, status, headers: { 'content-type': 'application/json; charset=utf-8', ...extra }, body: JSON.stringify(body) };
    };
    const replyError = (err: ResendErrorBody, outcome: RequestOutcome = 'rejected', extra: Record<string, string> = {}) =>
      reply(err.statusCode, { statusCode: err.statusCode, message: err.message, name: err.name }, outcome, extra);

    // 1. Fault injection.
    const f = faults.take(method, path);
    if (f) {
      if (f.delayMs) await sleep(f.delayMs);
      if (closed) return drop();
      if (f.drop === 'after-accept') dropAfterAccept = true;
      else if (f.drop) return drop();
      else {
        const a = faultAnswer(f, rate);
        if (a.error) return replyError(a.error, 'fault', a.headers);
        finish(rec, a.status, 'fault', a.raw);
        return { drop: false, status: a.status, headers: { 'content-type': 'text/html; charset=utf-8', ...a.headers }, body: a.raw! };
      }
    }

    // 2. Routing and 3. auth.
    const refused = (contacts.owns(path) ? null : routeError(method, path)) ?? authError(headers.authorization, opts.apiKeys);
    if (refused) return replyError(refused);
    const isSend = path === '/emails';
    const isBatch = path === '/emails/batch';

    // 4. Rate limit.
    const admitted = rate.take();
    if (!admitted.ok) return replyError({ statusCode: 429, name: 'rate_limit_exceeded', message: rate.message() }, 'rate_limited', admitted.headers);
    const rlh = admitted.headers;

    if (contacts.owns(path)) {
      if (!parseOk) return replyError({ statusCode: 400, name: 'validation_error', message: 'Invalid JSON in request body.' }, 'rejected', rlh);
      const a = contacts.handle(method, path, new URLSearchParams(req.query ?? ''), parsed) ?? { error: errorFor(404) };
      return 'error' in a ? replyError(a.error, 'rejected', rlh) : reply(a.status, a.body, 'accepted', rlh);
    }

    if (method === 'GET') {
      if (isSend) return reply(200, { object: 'list', has_more: false, data: sent.map(emailObject).reverse() }, 'accepted', rlh);
      const mail = sent.find((m) => m.id === path.slice('/emails/'.length));
      if (!mail) return replyError({ statusCode: 404, name: 'not_found', message: 'Email not found' }, 'rejected', rlh);
      return reply(200, emailObject(mail), 'accepted', rlh);
    }

    // 5. Body.
    if (!parseOk) return replyError({ statusCode: 400, name: 'validation_error', message: 'Invalid JSON in request body.' }, 'rejected', rlh);

    // 6. Idempotency.
    const key = rec.idempotencyKey;
    const mode = (rec.batchValidation ?? 'strict').toLowerCase();
    const fingerprint = keys.fingerprint(method, path, isBatch ? mode : '', parsed);
    if (key !== null) {
      const seen = keys.check(key, fingerprint);
      if ('replay' in seen) return reply(seen.replay.status, seen.replay.body, 'replayed', rlh);
      if ('error' in seen) return replyError(seen.error, 'rejected', rlh);
    }

    // 7. Validation.
    const checked = validateSend(parsed, { batch: isBatch, mode, verifiedDomains: opts.verifiedDomains });
    if ('error' in checked) return replyError(checked.error, 'rejected', rlh);
    const { accept, batchErrors } = checked;

    // 8. Accept, after the optional latency and hold, with the key in progress meanwhile.
    if (key !== null) keys.begin(key);
    try {
      if (opts.latencyMs) await sleep(opts.latencyMs);
      while (gate && !closed) await gate.promise;
      if (closed) return drop();
      const mails = accept.map((a) => sentMail(a.mail, rec, a.index));
      sent.push(...mails);
      rec.acceptedCount += mails.length;
      const ids = mails.map((m) => ({ id: m.id }));
      const body = isSend ? { id: mails[0].id } : mode === 'permissive' ? { data: ids, errors: batchErrors } : { data: ids };
      if (key !== null) keys.store(key, { status: 200, body, fingerprint });
      return reply(200, body, 'accepted', rlh);
    } finally {
      if (key !== null) keys.end(key);
    }
  }

  const normalize = (a: string) => (parseAddress(a) ?? a).toLowerCase();
  const release = () => {
    gate?.release();
    gate = null;
  };

  return {
    sent,
    requests,
    contacts,
    handle,
    setFault: (f) => faults.set(f),
    clearFault: () => faults.set(null),
    getFault: () => faults.get(),
    setRateLimit: (perSecond) => rate.set(perSecond),
    hold() {
      if (!gate) {
        let open!: () => void;
        gate = { promise: new Promise<void>((r) => (open = r)), release: () => open() };
      }
      return release;
    },
    waitForMails: (n, timeoutMs = 5000) => waiting.until(() => sent.length >= n, () => sent, () => `${n} mails (have ${sent.length})`, timeoutMs),
    waitForRequests: (n, timeoutMs = 5000) => waiting.until(() => answered >= n, () => requests, () => `${n} answered requests (have ${answered})`, timeoutMs),
    waitForArrivals: (n, timeoutMs = 5000) => waiting.until(() => requests.length >= n, () => requests, () => `${n} requests (have ${requests.length})`, timeoutMs),
    mailsTo: (address) => sent.filter((m) => m.recipients.includes(normalize(address))),
    lastMailTo(address) {
      const a = normalize(address);
      for (let i = sent.length - 1; i >= 0; i--) if (sent[i].recipients.includes(a)) return sent[i];
      return undefined;
    },
    reset() {
      sent.length = 0;
      requests.length = 0;
      keys.clear();
      rate.clear();
      release();
      faults.set(null);
      contacts.clear();
      answered = 0;
      seq = 0;
    },
    close() {
      if (closed) return;
      closed = true;
      for (const [t, resolve] of timers) {
        clearTimeout(t);
        resolve();
      }
      timers.clear();
      release();
      waiting.closeAll(new Error('resend imitation closed'));
    },
  };
}
