import { afterEach, describe, expect, it } from 'vitest';
import type { Resolver } from '../../../src/domain/webhook-target';
import { pushConsumers, webhooks } from '../../../src/db/schema';
import { testApp } from '../../support/app';
import { startReceiver } from '../../support/fakes/receiver';
import { confirmed } from '../../support/flow';
import { adminEnv, api, type Json } from '../../support/operator';
import { pusher } from '../../support/push';

const cleanups: Array<() => Promise<unknown> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const production = { ...adminEnv, NODE_ENV: 'production', MAIL_TRANSPORT: 'log' };

/** A resolver answering from a table (what tests pretend DNS says); it counts its calls. */
function fakeDns(table: Record<string, string[]>) {
  const calls: string[] = [];
  const resolve: Resolver = async (host) => {
    calls.push(host);
    const answer = table[host];
    if (!answer) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
    return answer.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return { resolve, calls, table };
}

async function create(t: Awaited<ReturnType<typeof testApp>>, url: string) {
  const res = await api(t, 'POST', '/v1/webhooks', undefined, { url, events: ['subscriber.confirmed'] });
  return { status: res.status, body: (await res.json()) as Json };
}

describe('outbound webhook targets (SSRF), in production', () => {
  const refusedLiterals = [
    'https://127.0.0.1/hook',
    'https://127.1/hook',
    'https://2130706433/hook', // decimal
    'https://0177.0.0.1/hook', // octal
    'https://0x7f.0.0.1/hook', // hex
    'https://10.1.2.3/',
    'https://172.16.0.1/',
    'https://192.168.1.1/',
    'https://169.254.169.254/latest/meta-data',
    'https://100.64.0.1/',
    'https://0.0.0.0/',
    'https://0.1.2.3/',
    'https://[::1]/',
    'https://[::]/',
    'https://[::ffff:127.0.0.1]/',
    'https://[::ffff:a00:1]/',
    'https://[64:ff9b::a9fe:a9fe]/', // NAT64 of 169.254.169.254
    'https://[fd12:3456::1]/', // unique-local
    'https://[fc00::1]/',
    'https://[fe80::1]/', // link-local
    'https://localhost/',
    'https://hooks.localhost/',
  ];

  it.each(refusedLiterals)('refuses %s with 422 when the webhook is created', async (url) => {
    const t = await testApp(production, { resolveHost: fakeDns({}).resolve });
    const { status, body } = await create(t, url);
    expect(status).toBe(422);
    expect(body.errors).toEqual([{ field: 'url', code: 'private_target', message: expect.stringContaining('not a public address') }]);
  });

  it('refuses http: in production, and URLs that are not http(s) or carry credentials anywhere', async () => {
    const t = await testApp(production, { resolveHost: fakeDns({ 'hooks.example.com': ['93.184.215.14'] }).resolve });
    expect((await create(t, 'http://hooks.example.com/')).body.errors[0].code).toBe('https_required');
    const dev = await testApp(adminEnv);
    for (const url of ['ftp://hooks.example.com/', 'not a url', 'https://user:pw@hooks.example.com/']) {
      const { status, body } = await create(dev, url);
      expect(status).toBe(422);
      expect(body.errors[0].field).toBe('url');
    }
  });

  it('refuses a name that resolves to a private address (any one of its addresses), accepts one that resolves to public ones', async () => {
    const dns = fakeDns({
      'intranet.example.com': ['10.0.0.5'],
      'mixed.example.com': ['93.184.215.14', 'fd00::5'],
      'hooks.example.com': ['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'],
    });
    const t = await testApp(production, { resolveHost: dns.resolve });
    expect(await create(t, 'https://intranet.example.com/hook')).toMatchObject({ status: 422, body: { errors: [{ field: 'url', code: 'private_target', message: expect.stringContaining('resolves to 10.0.0.5') }] } });
    expect((await create(t, 'https://mixed.example.com/hook')).status).toBe(422);
    expect(await create(t, 'https://hooks.example.com/hook')).toMatchObject({ status: 201, body: { url: 'https://hooks.example.com/hook' } });
    expect(dns.calls).toEqual(['intranet.example.com', 'mixed.example.com', 'hooks.example.com']);
  });

  it('allows private and http: targets with WEBHOOK_ALLOW_PRIVATE=1, and any target in development', async () => {
    const allowed = await testApp({ ...production, WEBHOOK_ALLOW_PRIVATE: '1' }, { resolveHost: fakeDns({}).resolve });
    expect((await create(allowed, 'http://127.0.0.1:8080/hook')).status).toBe(201);
    const dev = await testApp(adminEnv);
    expect((await create(dev, 'http://[::1]:8080/hook')).status).toBe(201);
  });

  it('refuses at delivery a name that has come to resolve to a private address, without connecting', async () => {
    const rx = await startReceiver();
    cleanups.push(() => rx.close());
    const dns = fakeDns({ 'hooks.example.com': ['93.184.215.14'] });
    const t = await testApp(production, { resolveHost: dns.resolve });
    const { body: hook } = await create(t, `https://hooks.example.com:${rx.port}/hook`);
    await confirmed(t, 'ann@example.com');
    dns.table['hooks.example.com'] = ['127.0.0.1'];
    await pusher(t, { resolve: dns.resolve }).run();
    expect(rx.connections()).toBe(0);
    const attempts = ((await (await api(t, 'GET', `/v1/webhooks/${hook.id}/deliveries`)).json()) as Json).data;
    expect(attempts).toMatchObject([{ status: null, error: 'refused: hooks.example.com resolves to 127.0.0.1, not a public address (loopback)', outcome: 'retrying' }]);
  });

  it('refuses at delivery an address literal that production does not allow (a webhook made before the rule applied)', async () => {
    const rx = await startReceiver();
    cleanups.push(() => rx.close());
    const t = await testApp(production, { resolveHost: fakeDns({}).resolve });
    await t.deps.atomic((tx) => [
      tx.insert(pushConsumers).values({ id: 'wh_old', kind: 'webhook', types: ['confirmed'], lists: null, createdAt: t.clock.now() }),
      tx.insert(webhooks).values({ id: 'wh_old', url: rx.url, secret: `whsec_${btoa('k'.repeat(32))}`, createdBy: 'test' }),
    ]);
    await confirmed(t, 'ann@example.com');
    await pusher(t).run();
    expect(rx.connections()).toBe(0);
    const [attempt] = ((await (await api(t, 'GET', '/v1/webhooks/wh_old/deliveries')).json()) as Json).data;
    expect(attempt.error).toMatch(/^refused: /);
  });

  it('connects only to the address it resolved and checked, once per attempt: the system resolver is never asked again', async () => {
    const rx = await startReceiver();
    cleanups.push(() => rx.close());
    // hooks.test exists only in this table; a second lookup (DNS rebinding) would answer elsewhere.
    let lookups = 0;
    const rebinding: Resolver = async () => (++lookups === 1 ? [{ address: '127.0.0.1', family: 4 }] : [{ address: '10.255.255.1', family: 4 }]);
    const t = await testApp({ ...production, WEBHOOK_ALLOW_PRIVATE: '1' }, { resolveHost: fakeDns({ 'hooks.test': ['127.0.0.1'] }).resolve });
    const { status } = await create(t, `http://hooks.test:${rx.port}/hook`);
    expect(status).toBe(201);
    await confirmed(t, 'ann@example.com');
    await pusher(t, { resolve: rebinding, timeoutMs: 2000 }).run();
    expect(lookups).toBe(1);
    expect(rx.received).toHaveLength(1);
    expect(rx.received[0].headers.host).toBe(`hooks.test:${rx.port}`);
  });
});
