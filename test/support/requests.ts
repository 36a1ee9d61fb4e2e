/**
 * Request bodies as browsers, scripts and operators send them. Runtime-neutral (the contract
 * cases use these in workerd too); hand the result to `t.app.request`, `from` or `h.request`.
 */

export const jsonHeaders = { 'content-type': 'application/json', accept: 'application/json' };
export const formHeaders = { 'content-type': 'application/x-www-form-urlencoded' };

/** A JSON POST; a string body goes as it is (for malformed JSON). */
export const jsonPost = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

/** A POST as a plain HTML form sends it. */
export const formPost = (fields: Record<string, string>, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { ...formHeaders, ...headers },
  body: new URLSearchParams(fields).toString(),
});

/** A multipart/form-data POST (the boundary is chosen by the runtime). */
export function multipartPost(fields: Record<string, string>, headers: Record<string, string> = {}): RequestInit {
  const body = new FormData();
  for (const [k, v] of Object.entries(fields)) body.append(k, v);
  return { method: 'POST', body, headers };
}

/** An operator's or mailer's call: a bearer key unless null, and a JSON body when given. */
export function bearer(method: string, key: string | null, body?: unknown): RequestInit {
  const headers: Record<string, string> = {};
  if (key) headers.authorization = `Bearer ${key}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  return { method, headers, body: body === undefined ? undefined : JSON.stringify(body) };
}
