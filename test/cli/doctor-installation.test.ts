import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSqlite } from '../../src/db/sqlite';
import { jsonLogger } from '../../src/logger';
import { noteSendOutcome } from '../../src/mail/transport-health';
import { listgate } from '../support/cli';
import { scratch } from '../support/scratch';

const temp = scratch('listgate-doctor');

describe('listgate doctor (no domain): the installation', { timeout: 60_000 }, () => {
  it('reports a mail transport that refuses every send, with the reason (no address in it), and exits 1', async () => {
    const DATABASE_PATH = join(temp.dir(), 'listgate.db');
    const h = openSqlite(DATABASE_PATH);
    const deps = { db: h.db, clock: { now: () => Date.now() }, logger: jsonLogger('silent'), mailer: { name: 'resend' as const, maxBatch: 100, send: async () => ({ ok: true as const, results: [] }) } };
    await noteSendOutcome(deps, { ok: true });
    const healthy = await listgate({ DATABASE_PATH }, 'doctor');
    expect(healthy.code, healthy.stdout).toBe(0);
    expect(healthy.stdout).toMatch(/\[ok\]\s+mail transport/);
    expect(healthy.stdout).toMatch(/\[warn\]\s+server/); // none runs on it

    await noteSendOutcome(deps, { ok: false, error: 'resend 401: API key is invalid (sending to ann@example.com)' });
    h.close();
    const refusing = await listgate({ DATABASE_PATH }, 'doctor');
    expect(refusing.code).toBe(1);
    expect(refusing.stdout).toMatch(/\[error\]\s+mail transport/);
    expect(refusing.stdout).toContain('API key is invalid');
    expect(refusing.stdout).not.toContain('ann@example.com');
    const json = JSON.parse((await listgate({ DATABASE_PATH }, 'doctor', '--json')).stdout);
    expect(json.ok).toBe(false);
    expect(json.findings.find((f: { check: string }) => f.check === 'mail transport').status).toBe('error');
  });
});
