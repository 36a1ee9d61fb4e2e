import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkSesConfig } from '../../src/cli/doctor-ses';
import { loadConfig } from '../../src/config';
import { listgate } from '../support/cli';
import { scratch } from '../support/scratch';

const temp = scratch('listgate-doctor-ses');
const ses = {
  MAIL_TRANSPORT: 'ses',
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  SES_CONFIGURATION_SET: 'listgate-events',
  SES_TOPIC_ARNS: 'arn:aws:sns:eu-west-1:123456789012:ses-events',
};
const findings = (env: Record<string, string>) => Object.fromEntries(checkSesConfig(loadConfig(env)).map((f) => [f.check, f]));

describe('listgate doctor: Amazon SES checks it can make offline', () => {
  it('passes a complete configuration, naming the region, endpoint and configuration set, never the secret', async () => {
    const DATABASE_PATH = join(temp.dir(), 'listgate.db');
    const out = await listgate({ ...ses, DATABASE_PATH }, 'doctor');
    expect(out.stdout).toMatch(/\[ok\]\s+SES region\n\s+Mail is signed for eu-west-1 and sent to https:\/\/email\.eu-west-1\.amazonaws\.com/);
    expect(out.stdout).toMatch(/\[ok\]\s+SES configuration set\n.*listgate-events/);
    expect(out.stdout).toMatch(/\[ok\]\s+SES credentials/);
    expect(out.stdout).toMatch(/\[ok\]\s+SES events/);
    expect(out.stdout + out.stderr).not.toContain(ses.AWS_SECRET_ACCESS_KEY);
  });

  it('warns without a configuration set or a topic, and for a region or endpoint it does not know', () => {
    const f = findings({ ...ses, SES_CONFIGURATION_SET: '', SES_TOPIC_ARNS: '', AWS_REGION: 'xx-mars-1', SES_ENDPOINT: 'http://127.0.0.1:9999' });
    expect(f['SES configuration set']).toMatchObject({ status: 'warn', fix: expect.stringContaining('SES_CONFIGURATION_SET') });
    expect(f['SES events']).toMatchObject({ status: 'warn', explanation: expect.stringContaining('503') });
    expect(f['SES region']).toMatchObject({ status: 'warn', explanation: expect.stringContaining('xx-mars-1') });
    expect(f['SES endpoint']).toMatchObject({ status: 'warn', explanation: expect.stringContaining('not an AWS host') });
  });

  it('fails on temporary credentials and a malformed topic ARN, and exits 1', async () => {
    expect(findings({ ...ses, AWS_ACCESS_KEY_ID: 'ASIAIOSFODNN7EXAMPLE' })['SES credentials']).toMatchObject({ status: 'error' });
    expect(findings({ ...ses, AWS_ACCESS_KEY_ID: 'not-a-key' })['SES credentials']).toMatchObject({ status: 'warn' });
    const out = await listgate({ ...ses, SES_TOPIC_ARNS: 'ses-events', DATABASE_PATH: join(temp.dir(), 'none.db') }, 'doctor', '--json');
    const report = JSON.parse(out.stdout) as { ok: boolean; findings: Array<{ check: string; status: string }> };
    expect(out.code).toBe(1);
    expect(report.findings.find((x) => x.check === 'SES events')).toMatchObject({ status: 'error' });
  });

  it('says nothing about SES for another transport', () => {
    expect(checkSesConfig(loadConfig({ RESEND_API_KEY: 're_x' }))).toEqual([]);
  });
});
