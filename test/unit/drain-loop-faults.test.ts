import { describe, expect, it } from 'vitest';
import type { Db } from '../../src/deps';
import { startDrainLoop } from '../../src/mail/drain-loop';
import { signup, testApp } from '../support/app';

describe('the drain loop on a database that refuses work (full, locked)', () => {
  it('backs off, says so once, and sends what waits once the database is back', async () => {
    const t = await testApp({}, { clock: { now: () => Date.now() } });
    await signup(t, 'patient@example.com');
    const real = t.deps.db;
    let broken = true;
    let attempts = 0;
    // Every query fails as a full disk does, until `broken` is cleared.
    const full = new Proxy(real, {
      get(target, key, receiver) {
        if (broken) {
          attempts++;
          throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
        }
        return Reflect.get(target, key, receiver);
      },
    }) as Db;
    const deps = { ...t.deps, db: full };
    const loop = startDrainLoop(deps, { idleMs: 20 });
    try {
      // Several failed attempts, each after a longer pause (20, 40, 80, 160 ms ...).
      while (attempts < 6) await new Promise((r) => setTimeout(r, 20));
      const paused = t.logs.filter((l) => l.includes('outbox paused'));
      expect(paused).toHaveLength(1);
      expect(paused[0]).toContain('"fault":"full"');
      expect(t.logs.join('\n')).not.toContain('outbox drain failed');
      broken = false;
      while (t.mailer.sent.length === 0) await new Promise((r) => setTimeout(r, 20));
      expect(t.mailer.sent.map((m) => m.to)).toEqual(['patient@example.com']);
      expect(t.logs.filter((l) => l.includes('outbox resumed'))).toHaveLength(1);
    } finally {
      broken = false;
      await loop.stop();
    }
  });
});
