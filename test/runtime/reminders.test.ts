import { describe, expect, it } from 'vitest';
import { queueDueReminders } from '../../src/services/reminders';
import { signup, testApp, type TestApp } from '../support/app';
import { notMeTokenFor } from '../support/mail';
import { ADMIN, adminEnv, api } from '../support/operator';

const HOUR = 3_600_000;

/** A list that reminds after 12 hours, and one pending signup to it whose first mail left. */
async function pendingWithReminder(env: Record<string, string> = {}) {
  const t = await testApp({ ...adminEnv, ...env });
  await api(t, 'PUT', '/v1/lists/newsletter', ADMIN, { name: 'News', reminder_after_hours: 12 });
  expect((await signup(t, 'slow@example.com')).status).toBe(202);
  await t.deliver();
  return t;
}
const mailsTo = (t: TestApp, to: string) => t.mailer.sent.filter((m) => m.to === to);
const tick = async (t: TestApp, ms: number) => {
  t.clock.advance(ms);
  await queueDueReminders(t.deps);
  await t.deliver();
};

describe('one reminder to a pending signup', () => {
  it('goes once, reminder_after_hours after the first mail, with a token that expires with the signup', async () => {
    const t = await pendingWithReminder();
    await tick(t, 11 * HOUR);
    expect(mailsTo(t, 'slow@example.com')).toHaveLength(1);
    await tick(t, 1 * HOUR);
    const mails = mailsTo(t, 'slow@example.com');
    expect(mails).toHaveLength(2);
    expect(mails[1].subject).toMatch(/^Reminder: /);
    expect(mails[1].text).toContain('The link works for 36 hours.');
    await tick(t, 6 * HOUR);
    await tick(t, 6 * HOUR);
    expect(mailsTo(t, 'slow@example.com')).toHaveLength(2);
    // The reminder's link confirms.
    const token = /\/confirm\?token=([\w.-]+)/.exec(mails[1].text)![1];
    const res = await t.app.request('/confirm', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }) });
    expect(res.status).toBe(200);
  });

  it('never goes when the first mail bounced or drew a complaint', async () => {
    for (const event of [{ type: 'bounce', bounce_type: 'transient' }, { type: 'complaint' }]) {
      const t = await pendingWithReminder();
      t.clock.advance(HOUR);
      await api(t, 'POST', '/v1/events', ADMIN, { ...event, email: 'slow@example.com' });
      await tick(t, 12 * HOUR);
      expect(mailsTo(t, 'slow@example.com')).toHaveLength(1);
    }
  });

  it('never goes after "this wasn\'t me" or a suppression', async () => {
    const t = await pendingWithReminder();
    const token = notMeTokenFor(t.mailer.sent, 'slow@example.com');
    await t.app.request('/not-me', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }) });
    await tick(t, 13 * HOUR);
    expect(mailsTo(t, 'slow@example.com')).toHaveLength(1);
    const u = await pendingWithReminder();
    await api(u, 'POST', '/v1/suppressions', ADMIN, { email: 'slow@example.com' });
    await tick(u, 13 * HOUR);
    expect(mailsTo(u, 'slow@example.com')).toHaveLength(1);
  });

  it('counts in the three mails per 24 hours: a full cap defers it, and it is dropped once the signup expired', async () => {
    const t = await testApp({ ...adminEnv, CONFIRM_TTL_HOURS: '20' });
    await api(t, 'PUT', '/v1/lists/newsletter', ADMIN, { name: 'News', reminder_after_hours: 1 });
    await api(t, 'PUT', '/v1/lists/other', ADMIN, { name: 'Other' });
    await api(t, 'PUT', '/v1/lists/third', ADMIN, { name: 'Third' });
    // Three mails to the mailbox within an hour: the cap is full for 24 hours.
    for (const list of ['newsletter', 'other', 'third']) {
      expect((await signup(t, 'busy@example.com', { list })).status).toBe(202);
      await t.deliver();
      t.clock.advance(16 * 60_000);
    }
    expect(mailsTo(t, 'busy@example.com')).toHaveLength(3);
    await tick(t, HOUR);
    expect(mailsTo(t, 'busy@example.com')).toHaveLength(3);
    // The cap frees up 24 hours after the first mail, but the signup expired after 20: no reminder.
    await tick(t, 24 * HOUR);
    expect(mailsTo(t, 'busy@example.com')).toHaveLength(3);
  });

  it('waits for its turn in a full cap and then goes, still before the signup expires', async () => {
    const t = await testApp({ ...adminEnv, CONFIRM_TTL_HOURS: '40' });
    await api(t, 'PUT', '/v1/lists/newsletter', ADMIN, { name: 'News', reminder_after_hours: 1 });
    for (const list of ['other', 'third']) await api(t, 'PUT', `/v1/lists/${list}`, ADMIN, { name: list });
    for (const list of ['newsletter', 'other', 'third']) {
      await signup(t, 'wait@example.com', { list });
      await t.deliver();
      t.clock.advance(16 * 60_000);
    }
    await tick(t, HOUR);
    expect(mailsTo(t, 'wait@example.com')).toHaveLength(3);
    await tick(t, 23 * HOUR);
    const mails = mailsTo(t, 'wait@example.com');
    expect(mails).toHaveLength(4);
    expect(mails[3].subject).toMatch(/^Reminder: /);
  });
});
