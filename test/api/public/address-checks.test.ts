import { type DnsRecords, startDnsServer } from '../../support/fakes/dns';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { nodeMxLookup } from '../../../src/mail/mx';
import { putList } from '../../../src/db/queries/lists';
import { signup, testApp } from '../../support/app';
import { ADMIN } from '../../support/operator';


describe('signup address checks (opt-in)', () => {
  const post = (t: Awaited<ReturnType<typeof testApp>>, email: string, list = 'newsletter') => signup(t, email, { list });

  it('refuses disposable domains (and their subdomains) only on lists that block them', async () => {
    const t = await testApp({ ADMIN_TOKEN: ADMIN });
    await putList(t.deps.db, 'strict', { name: 'Strict', blockDisposable: true }, t.clock.now());
    const res = await post(t, 'someone@mailinator.com', 'strict');
    expect(res.status).toBe(422);
    expect(((await res.json()) as any).errors).toEqual([expect.objectContaining({ field: 'email', code: 'disposable' })]);
    expect((await post(t, 'someone@x.mailinator.com', 'strict')).status).toBe(422);
    expect((await post(t, 'someone@example.com', 'strict')).status).toBe(202);
    expect((await post(t, 'someone@mailinator.com')).status).toBe(202);
  });

  it('with CHECK_MX=1, refuses only a definite "no mail server"', async () => {
    const answers: Record<string, 'ok' | 'none' | 'unknown'> = { 'nomail.test': 'none', 'flaky.test': 'unknown', 'fine.test': 'ok' };
    const mx = vi.fn(async (domain: string) => answers[domain] ?? 'ok');
    const t = await testApp({ CHECK_MX: '1' }, { mx });
    const refused = await post(t, 'a@nomail.test');
    expect(refused.status).toBe(422);
    expect(((await refused.json()) as any).errors[0].code).toBe('no_mail_server');
    expect((await post(t, 'a@flaky.test')).status).toBe(202);
    expect((await post(t, 'a@fine.test')).status).toBe(202);
    expect(mx.mock.calls.map((c) => c[0])).toEqual(['nomail.test', 'flaky.test', 'fine.test']);
  });

  it('asks DNS only where configured: CHECK_MX or the list\'s check_mx', async () => {
    const mx = vi.fn(async () => 'none' as const);
    const t = await testApp({}, { mx });
    expect((await post(t, 'a@nomail.test')).status).toBe(202);
    expect(mx).not.toHaveBeenCalled();
    await putList(t.deps.db, 'checked', { name: 'Checked', checkMx: true }, t.clock.now());
    expect((await post(t, 'a@nomail.test', 'checked')).status).toBe(422);
  });
});

describe('nodeMxLookup against a local DNS server', () => {
  // name -> records; absent names answer NXDOMAIN.
  const ZONE: Record<string, DnsRecords> = {
    'mx.test': { mx: ['mail.mx.test'] },
    'aonly.test': { a: ['192.0.2.1'] },
    'v6only.test': { aaaa: ['2001:db8::1'] },
    'empty.test': {},
    'servfail.test': { rcode: 2 },
    'timeout.test': { drop: true },
  };
  let server: Awaited<ReturnType<typeof startDnsServer>>;
  let servers: string[];
  let queries: string[];

  beforeAll(async () => {
    server = await startDnsServer(ZONE);
    servers = [server.address];
    queries = server.queries;
  });
  afterAll(() => server?.close());

  const lookup = () => nodeMxLookup({ servers, timeoutMs: 200 });

  it('answers ok for a domain with MX, or with only an A or AAAA record (implicit MX)', async () => {
    const mx = lookup();
    expect(await mx('mx.test')).toBe('ok');
    expect(await mx('aonly.test')).toBe('ok');
    expect(await mx('v6only.test')).toBe('ok');
  });

  it('answers none only for NXDOMAIN or a name with no MX, A or AAAA', async () => {
    const mx = lookup();
    expect(await mx('nosuch.test')).toBe('none');
    expect(await mx('empty.test')).toBe('none');
  });

  it('never answers none when DNS fails (SERVFAIL, timeout, no server)', async () => {
    expect(await lookup()('servfail.test')).toBe('unknown');
    expect(await lookup()('timeout.test')).toBe('unknown');
    expect(await nodeMxLookup({ servers: ['127.0.0.1:9'], timeoutMs: 100 })('mx.test')).toBe('unknown');
  });

  it('caches definite answers and retries failures', async () => {
    const mx = lookup();
    await mx('mx.test');
    const before = queries.length;
    expect(await mx('mx.test')).toBe('ok');
    expect(queries.length).toBe(before);
    await mx('servfail.test');
    const again = queries.length;
    await mx('servfail.test');
    expect(queries.length).toBeGreaterThan(again);
  });

  it('lets a signup through when DNS fails, end to end', async () => {
    const t = await testApp({ CHECK_MX: '1' }, { mx: nodeMxLookup({ servers, timeoutMs: 200 }) });
    expect((await signup(t, 'a@servfail.test')).status).toBe(202);
    expect((await signup(t, 'b@nosuch.test')).status).toBe(422);
  });
});
