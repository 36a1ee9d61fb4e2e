import { describe, expect, it } from 'vitest';
import { parseAddress } from '../../src/domain/address';
import { isDisposableDomain } from '../../src/domain/disposable';

const ok = (input: unknown) => {
  const r = parseAddress(input);
  if (!r.ok) throw new Error(`expected ${JSON.stringify(input)} to parse, got ${r.code}`);
  return r;
};
const code = (input: unknown) => {
  const r = parseAddress(input);
  return r.ok ? 'ok' : r.code;
};

describe('parseAddress: normalisation', () => {
  it('trims whitespace, zero-width characters and a BOM around the address', () => {
    expect(ok('  jane@example.com \n').email).toBe('jane@example.com');
    expect(ok('\uFEFF\u200Bjane@example.com\u200D\u2060').email).toBe('jane@example.com');
  });

  it('lower-cases the domain, keeps the local part as typed, keys on the whole address', () => {
    const r = ok('Local@EXAMPLE.com');
    expect(r).toEqual({ ok: true, email: 'Local@example.com', key: 'local@example.com', domain: 'example.com' });
  });

  it('converts IDN domains to punycode, whatever the Unicode form', () => {
    for (const input of ['user@bücher.de', 'user@bu\u0308cher.de', 'user@BÜCHER.DE']) {
      expect(ok(input).email).toBe('user@xn--bcher-kva.de');
    }
    expect(ok('user@ｅｘａｍｐｌｅ.com').email).toBe('user@example.com');
    expect(ok('user@example。com').email).toBe('user@example.com');
    expect(ok('info@例え.テスト').domain).toBe('xn--r8jz45g.xn--zckzah');
  });

  it('accepts UTF-8 local parts, NFC-normalised, with a Unicode lower-case key', () => {
    const r = ok('Jo\u0301sé@example.com');
    expect(r.email).toBe('Jósé@example.com');
    expect(r.key).toBe('jósé@example.com');
    expect(ok('用户@例子.测试').email).toBe('用户@xn--fsqu00a.xn--0zwm56d');
  });

  it('accepts RFC 5322 atext and reserved test domains', () => {
    for (const input of ["o'brien+tag@example.org", 'a.b-c_d@sub.example.co.uk', 'x@foo.test', 'x@app.localhost']) {
      expect(code(input)).toBe('ok');
    }
  });
});

describe('parseAddress: rejects', () => {
  it('missing input as required, other types as invalid', () => {
    for (const input of ['', '   ', '\u200B', undefined, null]) expect(code(input)).toBe('required');
    for (const input of [42, {}, ['a@b.com']]) expect(code(input)).toBe('invalid');
  });

  it.each([
    'plainaddress', 'a@b@example.com', '@example.com', 'jane@', 'jane doe@example.com', 'jane@exa mple.com',
    'a@b.com\r\nBcc: x@y.com', 'a@b.com\nx', 'a\t@b.com', 'jane@example.com.', 'jane@example..com',
    '.jane@example.com', 'jane.@example.com', 'ja..ne@example.com', 'a@[127.0.0.1]', 'a@127.0.0.1',
    'a@0x7f.1', 'a@[IPv6:::1]', '"john doe"@example.com', '"john"@example.com', 'john(comment)@example.com',
    'John <john@example.com>', '<john@example.com>', 'a@localhost', 'a@example.123', 'a@ex_ample.com',
    'a@example.com/x', 'a@example.com:25', 'a@ex%41mple.com', 'a@example.com?x', 'a@example.com#x',
    'a@-example.com', 'a@example-.com', 'a@example.c', 'a＠example.com', 'a．b@example.com',
  ])('%j as invalid', (input) => {
    expect(code(input)).toBe('invalid');
  });

  it('RTL overrides and zero-width characters inside the address', () => {
    for (const input of [
      'jane\u202E@example.com', 'ja\u202Ene@example.com', 'jane@exa\u202Emple.com',
      'ja\u200Bne@example.com', 'jane@exa\u200Bmple.com', 'jane@exa\u00ADmple.com', 'ja\uFEFFne@example.com',
    ]) {
      expect(code(input)).toBe('invalid');
    }
  });

  it('enforces RFC 5321 lengths in octets', () => {
    expect(code(`${'a'.repeat(64)}@example.com`)).toBe('ok');
    expect(code(`${'a'.repeat(65)}@example.com`)).toBe('too_long');
    expect(code(`${'é'.repeat(32)}@example.com`)).toBe('ok');
    expect(code(`${'é'.repeat(33)}@example.com`)).toBe('too_long');

    const domain = (last: number) => `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(last)}.com`;
    expect(`${'x'.repeat(64)}@${domain(57)}`).toHaveLength(254);
    expect(code(`${'x'.repeat(64)}@${domain(57)}`)).toBe('ok');
    expect(code(`${'x'.repeat(64)}@${domain(58)}`)).toBe('too_long');

    expect(code(`a@${'a'.repeat(64)}.com`)).toBe('too_long');
    expect(code(`a@${'a'.repeat(5000)}.com`)).toBe('too_long');
  });

  it('keeps raw input out of the message', () => {
    const r = parseAddress('<script>@example.com');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).not.toContain('script');
  });
});

describe('parseAddress: typos', () => {
  it.each([
    ['Jane.Doe@gmial.com', 'Jane.Doe@gmail.com'],
    ['someone@hotmial.com', 'someone@hotmail.com'],
    ['someone@yahooo.com', 'someone@yahoo.com'],
    ['someone@gmail.con', 'someone@gmail.com'],
    ['someone@outlok.com', 'someone@outlook.com'],
    ['someone@GMIAL.COM', 'someone@gmail.com'],
  ])('%s suggests %s', (input, suggestion) => {
    const r = parseAddress(input);
    expect(r).toMatchObject({ ok: false, code: 'typo', suggestion });
    if (!r.ok) expect(r.message).not.toContain('Jane');
  });

  it.each([
    'gmail.com', 'googlemail.com', 'outlook.com', 'hotmail.com', 'hotmail.co.uk', 'live.com', 'yahoo.com',
    'yahoo.co.jp', 'icloud.com', 'me.com', 'proton.me', 'protonmail.com', 'aol.com', 'gmx.de', 'gmx.net',
    'web.de', 'mail.ru', 'yandex.ru', 'qq.com', '163.com', 'naver.com', 'fastmail.com', 'example.com',
    'example.org', 'example.net', 'foo.test', 'docomo.ne.jp', 'company.pt', 'ibm.com', 'ms.com', 'mac.com',
    'email.com', 'cloud.com', 'libero.it', 'orange.fr', 'uol.com.br', 'mit.edu', 'ox.ac.uk', 'acme.io',
  ])('no suggestion for %s', (domain) => {
    expect(code(`someone@${domain}`)).toBe('ok');
  });
});

describe('isDisposableDomain', () => {
  it('matches listed domains and their subdomains, case-insensitively', () => {
    expect(isDisposableDomain('mailinator.com')).toBe(true);
    expect(isDisposableDomain('sub.mailinator.com')).toBe(true);
    expect(isDisposableDomain('Deep.Sub.YOPMAIL.com')).toBe(true);
  });

  it('leaves ordinary domains and bare suffixes alone', () => {
    for (const d of ['gmail.com', 'example.com', 'mailinator.com.example.org', 'com', '']) {
      expect(isDisposableDomain(d)).toBe(false);
    }
  });
});
