import { Resolver } from 'node:dns/promises';
import { Option, type Command } from 'commander';
import { loadConfig } from '../config';
import { checkInstallation, formatInstallation } from './doctor-installation';
import { formatFindings, type Finding, type FindingStatus } from './findings';

export type { Finding, FindingStatus } from './findings';

/** The subset of `node:dns/promises` Resolver we use, so tests can point one at a local server. */
export interface DnsResolver {
  resolveTxt(name: string): Promise<string[][]>;
  resolveMx(name: string): Promise<Array<{ exchange: string; priority: number }>>;
  resolveCname?(name: string): Promise<string[]>;
}
export type Provider = 'resend' | 'ses';
export interface DoctorReport { domain: string; provider: Provider; mailFrom: string; ok: boolean; findings: Finding[] }
export interface DoctorOptions {
  provider: Provider;
  selectors?: string[];
  /** Return-path / MAIL FROM host; defaults to send.<domain> (Resend) or mail.<domain> (SES). */
  mailFrom?: string;
  resolver: DnsResolver;
}

type Lookup<T> = { kind: 'found'; value: T } | { kind: 'missing' } | { kind: 'error'; code: string };

// NXDOMAIN (ENOTFOUND) and "name exists but has no such record" (ENODATA) mean
// the record is absent. Anything else (SERVFAIL, timeout, refused) means we
// simply don't know, and must not tell the user to add a record that may exist.
const ABSENT = new Set(['ENOTFOUND', 'ENODATA']);

async function lookup<T extends unknown[]>(fn: () => Promise<T>): Promise<Lookup<T>> {
  try {
    const value = await fn();
    return value.length ? { kind: 'found', value } : { kind: 'missing' };
  } catch (err) {
    const code = (err as { code?: string }).code ?? String(err);
    return ABSENT.has(code) ? { kind: 'missing' } : { kind: 'error', code };
  }
}

const finding = (check: string, status: FindingStatus, explanation: string, fix?: string): Finding =>
  fix ? { check, status, explanation, fix } : { check, status, explanation };

const couldNotCheck = (check: string, name: string, type: string, code: string) =>
  finding(check, 'error', `Could not check: the ${type} lookup for ${name} failed (${code}), so we can't tell whether the record exists. Try again later or ask your DNS host.`);

// A TXT record may be split into 255-byte strings; RFC 7208 §3.3 says join them with nothing.
const texts = (r: Lookup<string[][]>) => (r.kind === 'found' ? r.value.map((chunks) => chunks.join('').trim()) : []);

function tags(record: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of record.split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out.set(part.slice(0, i).trim().toLowerCase(), part.slice(i + 1).replace(/\s+/g, ''));
  }
  return out;
}

async function checkSpf(r: DnsResolver, host: string): Promise<Finding> {
  const check = `SPF (${host})`;
  const res = await lookup(() => r.resolveTxt(host));
  if (res.kind === 'error') return couldNotCheck(check, host, 'TXT', res.code);
  const spf = texts(res).filter((t) => /^v=spf1(\s|$)/i.test(t));
  const fix = `add TXT record at ${host}: v=spf1 include:amazonses.com ~all`;
  if (spf.length === 0) return finding(check, 'missing', `No SPF record at ${host}, so receivers can't confirm Amazon SES may send mail for it.`, fix);
  if (spf.length > 1) {
    return finding(check, 'error',
      `${spf.length} SPF records at ${host}. RFC 7208 makes that a permanent error: receivers treat SPF as failed.`,
      `replace them with one TXT record at ${host}: v=spf1 include:amazonses.com ~all (plus any other includes you need)`);
  }
  const terms = spf[0].toLowerCase().split(/\s+/);
  if (!terms.includes('include:amazonses.com')) {
    return finding(check, 'missing',
      `The SPF record at ${host} ("${spf[0]}") doesn't include amazonses.com, so mail sent through Amazon SES fails SPF.`,
      `change the TXT record at ${host} to: ${spf[0].replace(/^v=spf1/i, 'v=spf1 include:amazonses.com')}`);
  }
  const all = terms.find((t) => /^[-~?+]?all$/.test(t));
  if (all === '~all' || all === '-all') return finding(check, 'ok', `SPF at ${host} authorizes Amazon SES and ends with ${all}.`);
  return finding(check, 'warn',
    `SPF at ${host} authorizes Amazon SES but ends with ${all ?? 'no "all" rule'}, so mail from servers you never listed isn't marked as failing. End it with ~all or -all.`,
    `change the TXT record at ${host} to end with ~all`);
}

async function checkMx(r: DnsResolver, host: string): Promise<Finding> {
  const check = `MX (${host})`;
  const res = await lookup(() => r.resolveMx(host));
  if (res.kind === 'error') return couldNotCheck(check, host, 'MX', res.code);
  const hosts = res.kind === 'found' ? res.value.map((m) => m.exchange.toLowerCase().replace(/\.$/, '')) : [];
  const hit = hosts.find((h) => /^feedback-smtp\.[a-z0-9-]+\.amazonses\.com$/.test(h));
  if (hit) return finding(check, 'ok', `Bounces and complaints for ${host} go to ${hit}.`);
  const fix = `add MX record at ${host}: 10 feedback-smtp.<region>.amazonses.com (the region shown by your provider, e.g. us-east-1)`;
  const explanation = hosts.length
    ? `The MX at ${host} points to ${hosts.join(', ')}, not Amazon SES's feedback server, so bounces never reach your provider.`
    : `No MX record at ${host}. Amazon SES needs it to receive bounces for this return-path domain; without it the domain won't verify.`;
  return finding(check, 'missing', explanation, fix);
}

async function checkDkimTxt(r: DnsResolver, host: string, check: string, fix: string): Promise<Finding> {
  const res = await lookup(() => r.resolveTxt(host));
  if (res.kind === 'error') return couldNotCheck(check, host, 'TXT', res.code);
  const keys = texts(res).filter((t) => t.includes('p='));
  if (keys.some((k) => tags(k).get('p'))) return finding(check, 'ok', `DKIM public key published at ${host}.`);
  const explanation = keys.length
    ? `The DKIM record at ${host} has an empty p= (a revoked key), so signatures can't be verified.`
    : `No DKIM key at ${host}, so receivers can't verify your signatures and DMARC can't pass on DKIM.`;
  return finding(check, 'missing', explanation, fix);
}

async function checkSesSelector(r: DnsResolver, domain: string, selector: string): Promise<Finding> {
  const host = normalizeHost(`${selector}._domainkey.${domain}`);
  const check = `DKIM (${host})`;
  const fix = `add CNAME record at ${host}: ${selector.toLowerCase()}.dkim.amazonses.com`;
  if (r.resolveCname) {
    const res = await lookup(() => r.resolveCname!(host));
    if (res.kind === 'error') return couldNotCheck(check, host, 'CNAME', res.code);
    if (res.kind === 'found') return finding(check, 'ok', `${host} is a CNAME to ${res.value[0]}, where SES publishes the key.`);
  }
  // Bring-your-own-DKIM publishes the key directly as TXT instead of a CNAME.
  return checkDkimTxt(r, host, check, fix);
}

async function checkDmarc(r: DnsResolver, domain: string, mailFrom: string): Promise<Finding> {
  const own = `_dmarc.${domain}`;
  const check = `DMARC (${own})`;
  // Receivers fall back to a parent domain's record (RFC 7489 organizational
  // domain, DMARCbis tree walk), so a sending subdomain needn't have its own.
  const labels = domain.split('.');
  let host = own;
  let recs: string[] = [];
  for (let i = 0; i <= labels.length - 2 && recs.length === 0; i++) {
    host = `_dmarc.${labels.slice(i).join('.')}`;
    const res = await lookup(() => r.resolveTxt(host));
    if (res.kind === 'error') return couldNotCheck(check, host, 'TXT', res.code);
    recs = texts(res).filter((t) => /^v=DMARC1\s*(;|$)/i.test(t));
  }
  if (recs.length === 0) {
    return finding(check, 'missing',
      `No DMARC record at ${own}. Gmail and Yahoo require one from bulk senders (even just p=none) and may reject or spam-folder your mail without it.`,
      `add TXT record at ${own}: v=DMARC1; p=none; rua=mailto:dmarc-reports@${domain}`);
  }
  if (recs.length > 1) {
    return finding(check, 'error',
      `${recs.length} DMARC records at ${host}. RFC 7489 says receivers then ignore DMARC entirely.`,
      `delete all but one TXT record at ${host}`);
  }
  const t = tags(recs[0]);
  const inherited = host !== own;
  const tag = inherited && t.get('sp') ? 'sp' : 'p';
  const p = t.get(tag)?.toLowerCase();
  const word = (v?: string) => (v?.toLowerCase() === 's' ? 'strict' : 'relaxed');
  const align = `Alignment: DKIM ${word(t.get('adkim'))}, SPF ${word(t.get('aspf'))}.`;
  if (p !== 'none' && p !== 'quarantine' && p !== 'reject') {
    return finding(check, 'warn',
      `The DMARC record at ${host} has no valid p= policy, so receivers may ignore it. ${align}`,
      `change the TXT record at ${host} to include p=none (or quarantine/reject)`);
  }
  const notes = [
    ...(inherited ? [`No record at ${own}; the one at ${host} applies.`] : []),
    `DMARC policy is ${tag}=${p}${p === 'none' ? ' (monitoring only: failing mail is still delivered)' : ''}.`,
    align,
  ];
  // Bounces use a subdomain, so strict SPF alignment can never pass; DKIM must carry DMARC.
  if (word(t.get('aspf')) === 'strict' && mailFrom !== domain) {
    notes.push(`SPF is checked on ${mailFrom}, which never aligns strictly, so DMARC relies on DKIM alone.`);
  }
  return finding(check, 'ok', notes.join(' '));
}

const HOST = /^(?=.{1,253}$)(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/;
function normalizeHost(name: string): string {
  const host = name.trim().toLowerCase().replace(/\.$/, '');
  if (!HOST.test(host)) throw new Error(`"${name}" is not a valid domain name`);
  return host;
}

export async function runDoctor(domain: string, opts: DoctorOptions): Promise<DoctorReport> {
  const d = normalizeHost(domain);
  const mailFrom = normalizeHost(opts.mailFrom ?? `${opts.provider === 'resend' ? 'send' : 'mail'}.${d}`);
  const r = opts.resolver;
  let dkim: Array<Promise<Finding>>;
  if (opts.provider === 'resend') {
    const host = `resend._domainkey.${d}`;
    dkim = [checkDkimTxt(r, host, `DKIM (${host})`, `add TXT record at ${host}: p=<public key from the Resend dashboard>`)];
  } else if (opts.selectors?.length) {
    dkim = opts.selectors.map((s) => checkSesSelector(r, d, s));
  } else {
    dkim = [Promise.resolve(finding('DKIM', 'warn',
      'No DKIM selectors given, so DKIM was not checked. SES Easy DKIM uses three tokens shown in the SES console.',
      'rerun with --selector TOKEN for each DKIM token'))];
  }
  const findings = await Promise.all([checkSpf(r, mailFrom), checkMx(r, mailFrom), ...dkim, checkDmarc(r, d, mailFrom)]);
  // An unanswered lookup fails the run too: we can't vouch for what we couldn't see.
  const ok = findings.every((f) => f.status === 'ok' || f.status === 'warn');
  return { domain: d, provider: opts.provider, mailFrom, ok, findings };
}

export function formatReport(report: DoctorReport): string {
  const name = report.provider === 'resend' ? 'Resend' : 'Amazon SES';
  const lines = [`Sending domain check for ${report.domain} (${name})`, '', ...formatFindings(report.findings)];
  const bad = report.findings.filter((f) => f.status === 'missing' || f.status === 'error').length;
  lines.push('', report.ok ? 'All required records are in place.' : `${bad} check(s) failed or could not run; fix them before sending.`);
  return lines.join('\n');
}

export type ResolverFactory = (dnsServer?: string) => DnsResolver;
export const systemResolver: ResolverFactory = (dnsServer) => {
  const r = new Resolver({ timeout: 5000, tries: 2 });
  if (dnsServer) r.setServers([dnsServer]);
  return r;
};

export function registerDoctor(program: Command, makeResolver: ResolverFactory = systemResolver): Command {
  return program
    .command('doctor')
    .description('check the installation (database, server, outbox, mail transport); with a domain, its SPF, DKIM, DMARC and MX records')
    .argument('[domain]', 'domain you send from, e.g. example.com')
    .addOption(new Option('--provider <provider>', 'email provider').choices(['resend', 'ses']).default('resend'))
    .option('--selector <selector>', 'DKIM selector, repeatable (SES Easy DKIM tokens)', (v: string, prev: string[]) => [...prev, ...v.split(',')], [] as string[])
    .option('--mail-from <host>', 'custom MAIL FROM / return-path domain')
    .option('--dns-server <host:port>', 'query this DNS server instead of the system resolvers')
    .option('--json', 'print the report as JSON')
    .action(async (domain: string | undefined, o: { provider: Provider; selector: string[]; mailFrom?: string; dnsServer?: string; json?: boolean }, cmd: Command) => {
      if (domain === undefined) {
        const installation = await checkInstallation(loadConfig(process.env));
        process.stdout.write(`${o.json ? JSON.stringify(installation, null, 2) : formatInstallation(installation)}\n`);
        if (!installation.ok) process.exitCode = 1;
        return;
      }
      let report: DoctorReport;
      try {
        report = await runDoctor(domain, { provider: o.provider, selectors: o.selector, mailFrom: o.mailFrom, resolver: makeResolver(o.dnsServer) });
      } catch (err) {
        return cmd.error(`error: ${(err as Error).message}`, { exitCode: 2 });
      }
      process.stdout.write(`${o.json ? JSON.stringify(report, null, 2) : formatReport(report)}\n`);
      if (!report.ok) process.exitCode = 1;
    });
}
