import { Resolver } from 'node:dns/promises';
import { Command, CommanderError } from 'commander';
import { type DnsRecords, startDnsServer } from '../support/fakes/dns';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { formatReport, registerDoctor, runDoctor, type DnsResolver, type Finding } from '../../src/cli/doctor';


type Rec = DnsRecords;
const SPF = 'v=spf1 include:amazonses.com ~all';
const FEEDBACK = 'feedback-smtp.us-east-1.amazonses.com';
const KEY = 'p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDf';

function resendZone(d: string, patch: Record<string, Rec | null> = {}): Record<string, Rec> {
  const zone: Record<string, Rec | null> = {
    send: { txt: [['google-site-verification=abc'], [SPF]], mx: [FEEDBACK] },
    'resend._domainkey': { txt: [[KEY]] },
    _dmarc: { txt: [[`v=DMARC1; p=quarantine; rua=mailto:dmarc@${d}`]] },
    ...patch,
  };
  return Object.fromEntries(Object.entries(zone).filter(([, v]) => v).map(([k, v]) => [`${k}.${d}`, v as Rec]));
}

const ZONES: Record<string, Rec> = {
  // Long SPF split into two character-strings, as DNS hosts do past 255 bytes.
  ...resendZone('good.test', {
    send: { txt: [['v=spf1 include:amazonses.com', ' ~all']], mx: [FEEDBACK] },
    _dmarc: { txt: [['v=DMARC1; p=quarantine; adkim=r; aspf=s']] },
  }),
  ...resendZone('nodmarc.test', { _dmarc: null }),
  ...resendZone('news.good.test', { _dmarc: null }),
  ...resendZone('twospf.test', { send: { txt: [[SPF], ['v=spf1 include:_spf.google.com ~all']], mx: [FEEDBACK] } }),
  ...resendZone('nodkim.test', { 'resend._domainkey': {} }),
  ...resendZone('revoked.test', { 'resend._domainkey': { txt: [['v=DKIM1; k=rsa; p=']] } }),
  ...resendZone('googlespf.test', { send: { txt: [['v=spf1 include:_spf.google.com ~all']], mx: ['mx.google.com'] } }),
  ...resendZone('servfail.test', { _dmarc: { rcode: 2 } }),
  ...resendZone('timeout.test', { 'resend._domainkey': { drop: true } }),
  ...resendZone('lenient.test', {
    send: { txt: [['v=spf1 include:amazonses.com ?all']], mx: [FEEDBACK] },
    _dmarc: { txt: [['v=DMARC1; p=none']] },
  }),
  'mail.ses.test': { txt: [[SPF]], mx: [FEEDBACK] },
  'bounce.ses.test': { txt: [['v=spf1 include:amazonses.com -all']], mx: ['feedback-smtp.eu-west-1.amazonses.com'] },
  'tok1._domainkey.ses.test': { cname: 'tok1.dkim.amazonses.com' },
  'byo._domainkey.ses.test': { txt: [['v=DKIM1; k=rsa; ', KEY]] },
  '_dmarc.ses.test': { txt: [['v=DMARC1; p=reject']] },
};

let server: Awaited<ReturnType<typeof startDnsServer>>;
let dnsServer: string;

beforeAll(async () => {
  server = await startDnsServer(ZONES);
  dnsServer = server.address;
});
afterAll(() => server?.close());

function resolver(): Resolver {
  // Fresh resolver per call: c-ares caches answers per channel. One short try keeps the timeout case fast.
  const r = new Resolver({ timeout: 300, tries: 1 });
  r.setServers([dnsServer]);
  return r;
}
const resend = (d: string) => runDoctor(d, { provider: 'resend', resolver: resolver() });
const byCheck = (findings: Finding[], prefix: string) => findings.find((f) => f.check.startsWith(prefix))!;

describe('runDoctor (resend)', () => {
  it('passes a correctly configured domain', async () => {
    const report = await resend('Good.Test.');
    expect(report).toMatchObject({ domain: 'good.test', mailFrom: 'send.good.test', ok: true });
    expect(report.findings.map((f) => [f.check, f.status])).toEqual([
      ['SPF (send.good.test)', 'ok'],
      ['MX (send.good.test)', 'ok'],
      ['DKIM (resend._domainkey.good.test)', 'ok'],
      ['DMARC (_dmarc.good.test)', 'ok'],
    ]);
    const dmarc = byCheck(report.findings, 'DMARC').explanation;
    expect(dmarc).toContain('p=quarantine');
    expect(dmarc).toContain('DKIM relaxed, SPF strict');
    expect(dmarc).toContain('relies on DKIM alone');
  });

  it('flags missing DMARC (NXDOMAIN) as required', async () => {
    const report = await resend('nodmarc.test');
    expect(report.ok).toBe(false);
    const f = byCheck(report.findings, 'DMARC');
    expect(f.status).toBe('missing');
    expect(f.explanation).toMatch(/Gmail and Yahoo/);
    expect(f.fix).toBe('add TXT record at _dmarc.nodmarc.test: v=DMARC1; p=none; rua=mailto:dmarc-reports@nodmarc.test');
  });

  it('accepts a subdomain covered by its parent domain\'s DMARC record', async () => {
    const report = await resend('news.good.test');
    expect(report.ok).toBe(true);
    expect(byCheck(report.findings, 'DMARC').explanation).toContain('the one at _dmarc.good.test applies');
  });

  it('treats two SPF records as an error (RFC 7208)', async () => {
    const report = await resend('twospf.test');
    expect(report.ok).toBe(false);
    expect(byCheck(report.findings, 'SPF')).toMatchObject({ status: 'error', explanation: expect.stringContaining('RFC 7208') });
  });

  it('flags missing DKIM when the name exists without TXT (ENODATA)', async () => {
    const f = byCheck((await resend('nodkim.test')).findings, 'DKIM');
    expect(f.status).toBe('missing');
    expect(f.fix).toMatch(/^add TXT record at resend\._domainkey\.nodkim\.test: p=/);
  });

  it('treats an empty p= as a revoked DKIM key', async () => {
    const f = byCheck((await resend('revoked.test')).findings, 'DKIM');
    expect(f).toMatchObject({ status: 'missing', explanation: expect.stringContaining('revoked') });
  });

  it('flags SPF and MX that do not point at Amazon SES', async () => {
    const report = await resend('googlespf.test');
    expect(report.ok).toBe(false);
    expect(byCheck(report.findings, 'SPF')).toMatchObject({
      status: 'missing',
      fix: 'change the TXT record at send.googlespf.test to: v=spf1 include:amazonses.com include:_spf.google.com ~all',
    });
    expect(byCheck(report.findings, 'MX')).toMatchObject({ status: 'missing', explanation: expect.stringContaining('mx.google.com') });
  });

  it('reports SERVFAIL as "could not check", not as missing', async () => {
    const report = await resend('servfail.test');
    expect(report.ok).toBe(false);
    const f = byCheck(report.findings, 'DMARC');
    expect(f.status).toBe('error');
    expect(f.explanation).toMatch(/^Could not check: .*ESERVFAIL/);
    expect(f.fix).toBeUndefined();
    expect(report.findings.filter((x) => x !== f).every((x) => x.status === 'ok')).toBe(true);
  });

  it('reports a timeout as "could not check"', async () => {
    const f = byCheck((await resend('timeout.test')).findings, 'DKIM');
    expect(f).toMatchObject({ status: 'error', explanation: expect.stringContaining('ETIMEOUT') });
  });

  it('warns (but passes) on ?all and notes p=none is monitoring only', async () => {
    const report = await resend('lenient.test');
    expect(report.ok).toBe(true);
    expect(byCheck(report.findings, 'SPF')).toMatchObject({ status: 'warn', fix: expect.stringContaining('~all') });
    expect(byCheck(report.findings, 'DMARC').explanation).toContain('monitoring only');
  });

  it('rejects a nonsense domain', async () => {
    await expect(resend('not a domain')).rejects.toThrow(/not a valid domain/);
  });
});

describe('runDoctor (ses)', () => {
  it('checks each selector as CNAME, falling back to TXT', async () => {
    const report = await runDoctor('ses.test', { provider: 'ses', selectors: ['tok1', 'byo', 'tok3'], resolver: resolver() });
    expect(report.mailFrom).toBe('mail.ses.test');
    expect(report.findings.map((f) => [f.check, f.status])).toEqual([
      ['SPF (mail.ses.test)', 'ok'],
      ['MX (mail.ses.test)', 'ok'],
      ['DKIM (tok1._domainkey.ses.test)', 'ok'],
      ['DKIM (byo._domainkey.ses.test)', 'ok'],
      ['DKIM (tok3._domainkey.ses.test)', 'missing'],
      ['DMARC (_dmarc.ses.test)', 'ok'],
    ]);
    expect(report.findings[4].fix).toBe('add CNAME record at tok3._domainkey.ses.test: tok3.dkim.amazonses.com');
    expect(report.ok).toBe(false);
  });

  it('uses a custom MAIL FROM and warns when no selectors are given', async () => {
    const report = await runDoctor('ses.test', { provider: 'ses', mailFrom: 'bounce.ses.test', resolver: resolver() });
    expect(report.ok).toBe(true);
    expect(byCheck(report.findings, 'MX').explanation).toContain('feedback-smtp.eu-west-1.amazonses.com');
    expect(byCheck(report.findings, 'DKIM')).toMatchObject({ status: 'warn', fix: expect.stringContaining('--selector') });
  });

  it('works with a resolver that has no resolveCname (TXT only)', async () => {
    const real = resolver();
    const txtOnly: DnsResolver = { resolveTxt: (n) => real.resolveTxt(n), resolveMx: (n) => real.resolveMx(n) };
    const report = await runDoctor('ses.test', { provider: 'ses', selectors: ['byo', 'tok1'], resolver: txtOnly });
    expect(report.findings.filter((f) => f.check.startsWith('DKIM')).map((f) => f.status)).toEqual(['ok', 'missing']);
  });
});

describe('formatReport', () => {
  it('shows status, explanation and fix in plain words', async () => {
    const text = formatReport(await resend('nodmarc.test'));
    expect(text).toContain('Sending domain check for nodmarc.test (Resend)');
    expect(text).toMatch(/\[ok\]\s+SPF \(send\.nodmarc\.test\)/);
    expect(text).toMatch(/\[missing\]\s+DMARC \(_dmarc\.nodmarc\.test\)/);
    expect(text).toContain('fix: add TXT record at _dmarc.nodmarc.test: v=DMARC1; p=none');
    expect(text).toContain('1 check(s) failed or could not run');
  });
});

describe('doctor subcommand', () => {
  let out: string;
  afterEach(() => {
    vi.restoreAllMocks();
    process.exitCode = undefined;
  });
  async function run(...args: string[]) {
    out = '';
    vi.spyOn(process.stdout, 'write').mockImplementation(((chunk: string) => ((out += chunk), true)) as typeof process.stdout.write);
    const program = new Command().exitOverride().configureOutput({ writeErr: () => {} });
    registerDoctor(program);
    await program.parseAsync(['doctor', ...args, '--dns-server', dnsServer], { from: 'user' });
  }

  it('exits 1 and prints the report when something required is missing', async () => {
    await run('nodmarc.test', '--provider', 'resend');
    expect(process.exitCode).toBe(1);
    expect(out).toContain('[missing]');
    expect(out).toContain('_dmarc.nodmarc.test');
  });

  it('leaves the exit code alone for a healthy domain, and supports --json', async () => {
    await run('ses.test', '--provider', 'ses', '--selector', 'tok1', '--selector', 'byo', '--json');
    expect(process.exitCode).toBeUndefined();
    const report = JSON.parse(out);
    expect(report.ok).toBe(true);
    expect(report.findings).toHaveLength(5);
  });

  it('rejects an unknown provider and an invalid domain', async () => {
    await expect(run('good.test', '--provider', 'mailgun')).rejects.toBeInstanceOf(CommanderError);
    await expect(run('bad domain')).rejects.toMatchObject({ exitCode: 2, message: expect.stringContaining('not a valid domain') });
  });
});
