import { Resend } from 'resend';
import { afterEach, describe, expect, it } from 'vitest';
import { type ResendImitation, type ResendImitationOptions, startResendImitation } from '../../support/fakes/resend/node';
import { cases, mail } from './cases';

const open: ResendImitation[] = [];
async function start(opts?: ResendImitationOptions) {
  const api = await startResendImitation(opts);
  open.push(api);
  return { fake: api, api, baseUrl: api.baseUrl, sdk: (key = 're_test') => new Resend(key, { baseUrl: api.baseUrl }) };
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((a) => a.close()));
});

describe('the resend SDK against the Resend imitation over HTTP (Node)', () => {
  for (const c of cases) it(c.name, () => c.run(start));
});

describe('the imitation as a Node HTTP server', () => {
  it('listens on 127.0.0.1 only, at the base URL it names', async () => {
    const { api } = await start();
    expect(api.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(api.url).toBe(api.baseUrl);
  });

  it('honours RESEND_BASE_URL when no baseUrl option is given (read at construction time)', async () => {
    const { api } = await start();
    const prev = process.env.RESEND_BASE_URL;
    process.env.RESEND_BASE_URL = api.baseUrl;
    try {
      const resend = new Resend('re_env');
      expect(resend.baseUrl).toBe(api.baseUrl);
      const { error } = await resend.emails.send(mail('env@example.com'));
      expect(error).toBeNull();
      expect(api.sent).toHaveLength(1);
    } finally {
      if (prev === undefined) delete process.env.RESEND_BASE_URL;
      else process.env.RESEND_BASE_URL = prev;
    }
  });

  it('close() ends a held request and tears down keep-alive sockets; later calls fail as network errors', async () => {
    const { api, sdk } = await start();
    expect((await sdk().emails.send(mail('a@example.com'))).error).toBeNull();
    api.hold();
    const held = sdk().emails.send(mail('b@example.com'));
    await api.waitForArrivals(2, 30_000);
    await api.close();
    expect((await held).error).toMatchObject({ statusCode: null, name: 'application_error' });
    expect(api.requests.map((r) => r.outcome)).toEqual(['accepted', 'dropped']);
    const after = await sdk().emails.send(mail('a@example.com'));
    expect(after.error).toMatchObject({ statusCode: null, name: 'application_error' });
  });
});
