import { connect } from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { scratch } from '../support/scratch';
import { startListening } from '../support/server-process';

const temp = scratch('listgate-import-stop');
const ADMIN = 'import-stop-admin-token-0123456789';

/** Polls until `done()` holds or `ms` pass; answers whether it held. */
async function within(ms: number, done: () => boolean): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

describe('an import when the server is told to stop', { timeout: 60_000 }, () => {
  it('stops between chunks on SIGTERM, answers 503 with its report, exits within 10 s and leaves the list consistent', async () => {
    const path = join(temp.dir(), 'listgate.db');
    const server = temp.track(await startListening({ DATABASE_PATH: path, ADMIN_TOKEN: ADMIN, LOG_LEVEL: 'warn' }));
    // A sender that sends part of a file and then nothing more, as a slow upload would.
    const socket = connect(server.port, '127.0.0.1');
    let answer = '';
    socket.on('data', (d) => (answer += d.toString()));
    socket.on('error', () => {});
    const chunk = (text: string) => socket.write(`${Buffer.byteLength(text).toString(16)}\r\n${text}\r\n`);
    socket.write(
      `POST /v1/lists/newsletter/imports?mode=confirmed&consent_source=test HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${ADMIN}\r\n` +
        'Content-Type: text/csv\r\nTransfer-Encoding: chunked\r\n\r\n',
    );
    chunk(`email,name\n${Array.from({ length: 3000 }, (_, i) => `stop${i}@example.com,Person ${i}`).join('\n')}\n`);
    const db = new Database(path, { readonly: true });
    const imported = () => (db.prepare('SELECT count(*) AS n FROM subscriptions WHERE import_id IS NOT NULL').get() as { n: number }).n;
    expect(await within(20_000, () => imported() > 0)).toBe(true);
    const signalled = Date.now();
    const exit = server.kill('SIGTERM');
    expect(await within(10_000, () => answer.includes('\r\n\r\n'))).toBe(true);
    expect(answer).toMatch(/^HTTP\/1\.1 503/);
    expect(answer).toContain('"state":"stopped"');
    expect(await exit).toBe(0);
    expect(Date.now() - signalled).toBeLessThan(10_000);
    // Whole chunks only: the import's counters, its rows, their feed events and the list's counter agree.
    const row = db.prepare('SELECT state, rows, imported FROM imports').get() as { state: string; rows: number; imported: number };
    expect(row.state).toBe('stopped');
    expect(row.imported).toBe(imported());
    expect((db.prepare("SELECT count(*) AS n FROM changes WHERE type = 'confirmed'").get() as { n: number }).n).toBe(row.imported);
    expect((db.prepare("SELECT count_confirmed AS n FROM lists WHERE slug = 'newsletter'").get() as { n: number }).n).toBe(row.imported);
    db.close();
    socket.destroy();
  });
});
