import { describe, expect, it } from 'vitest';
import { signup, testApp, type TestApp } from '../support/app';
import { confirmTokenFor } from '../support/mail';

const HOUR = 3_600_000;
const state = (t: TestApp, email: string) => (t.sqlite.sqlite.prepare('SELECT state FROM subscriptions WHERE email = ?').get(email) as { state: string } | undefined)?.state;
const confirm = (t: TestApp, token: string) => t.app.request('/confirm', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }) });

describe('a pending signup expires CONFIRM_TTL_HOURS after its first mail left', () => {
  it('counts from the mail, not from the signup, and a repeat signup does not extend it', async () => {
    const t = await testApp({ CONFIRM_TTL_HOURS: '10' });
    await signup(t, 'later@example.com', { ip: '198.51.100.1' });
    // The mail leaves three hours after the signup (a provider outage, say).
    t.clock.advance(3 * HOUR);
    await t.deliver();
    const token = confirmTokenFor(t.mailer.sent, 'later@example.com');
    t.clock.advance(9 * HOUR); // 12 h after the signup, 9 h after the mail
    await t.maintain();
    expect(state(t, 'later@example.com')).toBe('pending');
    // A repeat signup resends (within the cap) but the signup keeps its expiry.
    await signup(t, 'later@example.com', { ip: '198.51.100.2' });
    await t.deliver();
    t.clock.advance(1 * HOUR + 1000); // past first mail + 10 h
    await t.maintain();
    expect(state(t, 'later@example.com')).toBeUndefined();
    expect((await confirm(t, token)).status).toBe(410);
  });

  it('is not purged while its mail still waits behind a flood, and then has its full time', async () => {
    const t = await testApp({ CONFIRM_TTL_HOURS: '1', RATE_LIMIT_LIST_PER_MINUTE: '1' });
    // The list's ceiling is one mail a minute: the 90th signup's mail waits about 1.5 hours.
    for (let i = 0; i < 90; i++) expect((await signup(t, `f${i}@example.com`, { ip: `198.51.${i >> 8}.${(i % 250) + 1}` })).status).toBe(202);
    t.clock.advance(70 * 60_000);
    await t.maintain();
    await t.deliver();
    expect(state(t, 'f89@example.com')).toBe('pending');
    t.clock.advance(25 * 60_000);
    await t.deliver();
    const token = confirmTokenFor(t.mailer.sent, 'f89@example.com');
    t.clock.advance(50 * 60_000);
    await t.maintain();
    expect((await confirm(t, token)).status).toBe(200);
  });
});
