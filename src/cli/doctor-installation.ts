import { existsSync } from 'node:fs';
import type { Config } from '../config';
import { readTransportRecord } from '../db/queries/mail-transport';
import { serverRunning } from '../db/server-lock';
import { openSqlite } from '../db/sqlite';
import { isoTime } from '../domain/time';
import { redactAddresses } from '../logger';
import { checkHealth } from '../services/health';
import { recordedPublicUrl } from '../services/installation';
import { checkSesConfig, type SesConfig } from './doctor-ses';
import { formatFindings, type Finding } from './findings';

export type InstallationReport = { database: string; ok: boolean; findings: Finding[] };

/** Waiting longer than this is worth a word: a healthy outbox sends within seconds. */
const SLOW_OUTBOX_SECONDS = 15 * 60;

/**
 * `listgate doctor` without a domain: the installation at DATABASE_PATH as the server sees it:
 * whether the database takes writes, whether a server runs on it, the origin its links use, and
 * the outbox: mail waiting, and whether the mail transport refuses every send (a bad key); and what
 * can be told of the transport's configuration offline (SES: region, key shape, configuration set).
 */
export async function checkInstallation(config: Pick<Config, 'DATABASE_PATH'> & Partial<SesConfig>): Promise<InstallationReport> {
  const database = config.DATABASE_PATH;
  const findings: Finding[] = config.mailTransport === 'ses' ? checkSesConfig(config as SesConfig) : [];
  if (!existsSync(database)) {
    findings.push({ check: 'database', status: 'missing', explanation: `There is no database at ${database}.`, fix: 'start the server once to create it, or set DATABASE_PATH to the server\'s database' });
    return { database, ok: false, findings };
  }
  findings.push(
    serverRunning(database)
      ? { check: 'server', status: 'ok', explanation: 'A listgate server is running on this database.' }
      : { check: 'server', status: 'warn', explanation: 'No listgate server is running on this database: nothing sends the mail that waits.', fix: 'start it (npm start, node dist/node.js or the systemd unit)' },
  );
  const handle = openSqlite(database);
  try {
    const now = Date.now();
    const { healthy, report } = await checkHealth({ db: handle.db, clock: { now: () => now } });
    findings.push(
      healthy
        ? { check: 'database', status: 'ok', explanation: `${database} accepts writes.` }
        : { check: 'database', status: 'error', explanation: `${database} does not accept writes (locked, read-only or a full disk): signups answer 503.`, fix: 'free disk space, check the file\'s permissions, or stop what holds the lock' },
    );
    const origin = await recordedPublicUrl(handle.db);
    findings.push(
      origin
        ? { check: 'PUBLIC_URL', status: 'ok', explanation: `The server's links (and the CLI's) start with ${origin}.` }
        : { check: 'PUBLIC_URL', status: 'warn', explanation: 'No server has run on this database yet, so the CLI uses the shell\'s PUBLIC_URL for links.' },
    );
    if (report.outbox) {
      const transport = await readTransportRecord(handle.db);
      const { oldest_waiting_seconds: oldest, failures_last_hour: failures } = report.outbox;
      if (report.outbox.transport === 'refusing') {
        findings.push({
          check: 'mail transport',
          status: 'error',
          explanation: `The mail provider refuses every send (${failures} refusal(s) in the last hour; last at ${isoTime(transport.failAt!)}: ${redactAddresses(transport.error ?? 'no reason given')}). Signups are still taken; their mail waits in the outbox.`,
          fix: 'check the provider key (RESEND_API_KEY, SMTP_URL, AWS_ACCESS_KEY_ID) and the account (SES: sending enabled, sender verified); waiting mail goes out once a send succeeds',
        });
      } else {
        const last = transport.okAt ? `last accepted send at ${isoTime(transport.okAt)}` : 'no mail sent yet';
        findings.push({ check: 'mail transport', status: 'ok', explanation: `The mail provider accepts sends (${last}; ${failures} refusal(s) in the last hour).` });
      }
      findings.push(
        oldest !== null && oldest > SLOW_OUTBOX_SECONDS
          ? { check: 'outbox', status: 'warn', explanation: `The oldest waiting mail has waited ${Math.round(oldest / 60)} minutes.`, fix: 'see the mail transport above, and that a server is running' }
          : { check: 'outbox', status: 'ok', explanation: oldest === null ? 'No mail is waiting.' : `The oldest waiting mail has waited ${oldest} s.` },
      );
    }
  } finally {
    handle.close();
  }
  return { database, ok: findings.every((f) => f.status === 'ok' || f.status === 'warn'), findings };
}

export function formatInstallation(report: InstallationReport): string {
  const lines = [`Installation check for ${report.database}`, '', ...formatFindings(report.findings)];
  lines.push('', report.ok ? 'Everything needed works.' : 'Something needs fixing (see above).');
  return lines.join('\n');
}
