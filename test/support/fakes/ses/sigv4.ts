import aws4 from 'aws4';

export type SigV4Check = { ok: true; accessKeyId: string } | { ok: false; status: number; code: string; message: string };

const AUTH = /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/;
const MAX_SKEW_MS = 5 * 60_000;

const parseAmzDate = (v: string) => {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(v);
  return m ? Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) : NaN;
};

/**
 * Checks a request's SigV4 signature the way AWS does, with the `aws4` package (not aws4fetch, the
 * signer under test) recomputing it over the headers the client says it signed. Answers the
 * errors AWS gives: 403 UnrecognizedClientException for an unknown key, InvalidSignatureException
 * for a wrong signature, scope or an old date, MissingAuthenticationTokenException without one.
 */
export function verifySigV4(
  req: { method: string; url: URL; headers: Record<string, string>; body: string },
  expect: { region: string; service: string; credentials: Record<string, string>; now: number },
): SigV4Check {
  const fail = (code: string, message: string): SigV4Check => ({ ok: false, status: 403, code, message });
  const auth = req.headers.authorization;
  if (!auth) return fail('MissingAuthenticationTokenException', 'Missing Authentication Token');
  const m = AUTH.exec(auth);
  if (!m) return fail('IncompleteSignatureException', `Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters. Authorization=${auth.split(' ')[0]}`);
  const [, accessKeyId, date, region, service, signedHeaders, signature] = m;
  const secretAccessKey = expect.credentials[accessKeyId];
  if (secretAccessKey === undefined) return fail('UnrecognizedClientException', 'The security token included in the request is invalid.');
  const amzDate = req.headers['x-amz-date'] ?? '';
  const names = signedHeaders.split(';');
  if (!names.includes('host') || !names.includes('x-amz-date')) return fail('InvalidSignatureException', "'Host' and 'X-Amz-Date' must be signed headers.");
  if (date !== amzDate.slice(0, 8)) return fail('InvalidSignatureException', `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${date}' != '${amzDate.slice(0, 8)}'`);
  if (region !== expect.region) return fail('InvalidSignatureException', `Credential should be scoped to a valid region. '${region}' is not the region of this endpoint ('${expect.region}').`);
  if (service !== expect.service) return fail('InvalidSignatureException', `Credential should be scoped to correct service: '${expect.service}'.`);
  const at = parseAmzDate(amzDate);
  if (!Number.isFinite(at) || Math.abs(expect.now - at) > MAX_SKEW_MS) {
    return fail('InvalidSignatureException', `Signature expired: ${amzDate} is now earlier than the allowed window (5 minutes) around the server's time.`);
  }
  const headers: Record<string, string> = {};
  for (const name of names) {
    if (name === 'host') headers.host = req.headers.host ?? req.url.host;
    else if (req.headers[name] !== undefined) headers[name] = req.headers[name];
    else return fail('InvalidSignatureException', `The request signature we calculated does not match the signature you provided. Signed header '${name}' is missing.`);
  }
  const recomputed = aws4.sign(
    {
      host: req.url.host,
      path: `${req.url.pathname}${req.url.search}`,
      method: req.method,
      headers,
      body: req.body,
      service,
      region,
      // aws4 adds Content-Type and Content-Length when absent; the client signed only `names`.
      extraHeadersToIgnore: Object.fromEntries(['content-type', 'content-length'].filter((n) => !names.includes(n)).map((n) => [n, true])),
      extraHeadersToInclude: Object.fromEntries(names.map((n) => [n, true])),
    } as aws4.Request,
    { accessKeyId, secretAccessKey },
  );
  const expected = String((recomputed.headers as Record<string, string>).Authorization ?? '').split('Signature=')[1];
  if (expected !== signature) {
    return fail('InvalidSignatureException', 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.');
  }
  return { ok: true, accessKeyId };
}
