import { describe, expect, it } from 'vitest';
import { from, signup, testApp } from '../../support/app';
import { pendingSignup } from '../../support/flow';
import { formPost, jsonPost } from '../../support/requests';

describe('a signup takes the same work whatever the address state', () => {
  it('runs the same SQL statements, the same outbox wake and no mail call for new, pending, confirmed, unsubscribed and suppressed', async () => {
    let wakes = 0;
    const t = await testApp({}, { outbox: { wake: () => void wakes++ } });
    // Prepare one address in each state.
    await pendingSignup(t, 'pending@example.com');
    const confirmed = await pendingSignup(t, 'confirmed@example.com');
    await from(t, '192.0.2.1', '/confirm', jsonPost({ token: confirmed.confirm }));
    const unsub = await pendingSignup(t, 'unsub@example.com');
    await from(t, '192.0.2.1', `/unsubscribe?token=${unsub.unsub}`, formPost({ 'List-Unsubscribe': 'One-Click' }));
    const suppressed = await pendingSignup(t, 'suppressed@example.com');
    await from(t, '192.0.2.1', '/not-me', jsonPost({ token: suppressed.notMe }));
    const states = t.sqlite.sqlite.prepare('SELECT key, state FROM subscriptions ORDER BY key').all();
    expect(states).toEqual([
      { key: 'confirmed@example.com', state: 'confirmed' },
      { key: 'pending@example.com', state: 'pending' },
      { key: 'suppressed@example.com', state: 'suppressed' },
      { key: 'unsub@example.com', state: 'unsubscribed' },
    ]);

    // Record every statement the database runs, by text (parameters are bound, not inlined).
    // Hot statements are prepared once (src/db/prepared.ts), so executions are what is recorded.
    const Statement = Object.getPrototypeOf(t.sqlite.sqlite.prepare('SELECT 1'));
    const methods = ['run', 'get', 'all', 'iterate'] as const;
    const originals = methods.map((m) => Statement[m]);
    let recorded: string[] = [];
    methods.forEach((m, i) => {
      Statement[m] = function (this: { source: string }, ...args: unknown[]) {
        recorded.push(this.source);
        return originals[i].apply(this, args);
      };
    });

    const work: Record<string, { sql: string[]; wakes: number; mails: number; answer: string }> = {};
    for (const email of ['new@example.com', 'pending@example.com', 'confirmed@example.com', 'unsub@example.com', 'suppressed@example.com']) {
      recorded = [];
      const wakesBefore = wakes;
      const mailsBefore = t.mailer.sent.length;
      const res = await signup(t, email, { ip: '198.51.100.250' });
      work[email] = { sql: recorded, wakes: wakes - wakesBefore, mails: t.mailer.sent.length - mailsBefore, answer: `${res.status} ${await res.text()}` };
    }
    methods.forEach((m, i) => (Statement[m] = originals[i]));

    const reference = work['new@example.com'];
    expect(reference.sql.length).toBeGreaterThan(2);
    expect(reference.wakes).toBe(1);
    expect(reference.mails).toBe(0);
    for (const [email, w] of Object.entries(work)) expect(w, email).toEqual(reference);
  });
});
