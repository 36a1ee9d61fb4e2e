import { describe, expect, it } from 'vitest';
import { putList } from '../../src/db/queries/lists';
import { purgeExpiredPending } from '../../src/db/queries/subscriptions';
import { signup, type TestApp, testApp } from '../support/app';
import { confirmJson, pendingSignup, subscriptionRow } from '../support/flow';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

const rowCount = (t: TestApp) => (t.sqlite.sqlite.prepare('SELECT count(*) AS n FROM subscriptions').get() as { n: number }).n;

describe('pending signups past their token expiry', () => {
  it('are deleted by the purge job; confirmed ones and ones still in time stay', async () => {
    const t = await testApp({ CONFIRM_TTL_HOURS: '2' });
    const token = (await pendingSignup(t, 'kept@example.com')).confirm;
    await confirmJson(t, token);
    await pendingSignup(t, 'forgot@example.com');
    t.clock.advance(HOUR);
    await pendingSignup(t, 'recent@example.com');

    t.clock.advance(HOUR - 1);
    expect(await purgeExpiredPending(t.deps.db, t.clock.now())).toBe(0);
    t.clock.advance(1);
    expect(await purgeExpiredPending(t.deps.db, t.clock.now())).toBe(1);
    expect(subscriptionRow(t, 'forgot@example.com')).toBeUndefined();
    expect(subscriptionRow(t, 'kept@example.com').state).toBe('confirmed');
    expect(subscriptionRow(t, 'recent@example.com').state).toBe('pending');

    t.clock.advance(HOUR);
    expect(await purgeExpiredPending(t.deps.db, t.clock.now())).toBe(1);
    expect(rowCount(t)).toBe(1);
    const counts = t.sqlite.sqlite.prepare("SELECT count_pending, count_confirmed FROM lists WHERE slug = 'newsletter'").get();
    expect(counts).toEqual({ count_pending: 0, count_confirmed: 1 });
  });

  it('a purged address can sign up again and confirm', async () => {
    const t = await testApp({ CONFIRM_TTL_HOURS: '1' });
    await pendingSignup(t, 'retry@example.com');
    t.clock.advance(2 * HOUR);
    await purgeExpiredPending(t.deps.db, t.clock.now());
    const fresh = (await pendingSignup(t, 'retry@example.com')).confirm;
    expect((await confirmJson(t, fresh)).status).toBe(200);
  });
});

describe('the confirmation mail cap per address', () => {
  it('sends at most one mail per 15 minutes and three per 24 hours, across lists, the first included', async () => {
    const t = await testApp({ RATE_LIMIT_SIGNUP_BURST: '100' });
    await putList(t.deps.db, 'offers', { name: 'Offers' }, t.clock.now());
    const answers = new Set<string>();
    const mailsAfter = async (list: string) => {
      const res = await signup(t, 'capped@example.com', { list });
      answers.add(`${res.status} ${await res.text()}`);
      await t.deliver();
      return t.mailer.sent.filter((m) => m.to === 'capped@example.com').length;
    };

    expect(await mailsAfter('newsletter')).toBe(1); // the first counts
    t.clock.advance(MINUTE);
    expect(await mailsAfter('offers')).toBe(1); // another list, same address: still within 15 minutes
    t.clock.advance(14 * MINUTE - 1);
    expect(await mailsAfter('newsletter')).toBe(1);
    t.clock.advance(1);
    expect(await mailsAfter('offers')).toBe(2); // 15 minutes after the first
    t.clock.advance(15 * MINUTE);
    expect(await mailsAfter('newsletter')).toBe(3);
    t.clock.advance(15 * MINUTE);
    expect(await mailsAfter('offers')).toBe(3); // three in 24 hours
    t.clock.advance(20 * HOUR);
    expect(await mailsAfter('newsletter')).toBe(3);
    t.clock.advance(4 * HOUR - 45 * MINUTE); // 24 hours after the first mail
    expect(await mailsAfter('newsletter')).toBe(4);

    expect(answers).toEqual(new Set(['202 {"status":"pending"}'])); // the cap never shows
    expect(subscriptionRow(t, 'capped@example.com', 'offers').state).toBe('pending');
  });

  it('mails an unsubscribed address that signs up again at once, within the daily cap', async () => {
    const t = await testApp({ RATE_LIMIT_SIGNUP_BURST: '100' });
    const unsubscribeAndReturn = async () => {
      const token = subscriptionRow(t, 'back@example.com').unsub_token as string;
      await t.app.request(`/unsubscribe?token=${token}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
      t.clock.advance(MINUTE);
      await signup(t, 'back@example.com');
      await t.deliver();
      return t.mailer.sent.length;
    };
    await confirmJson(t, (await pendingSignup(t, 'back@example.com')).confirm);
    expect(await unsubscribeAndReturn()).toBe(2); // a minute after the first mail, not 15
    expect(await unsubscribeAndReturn()).toBe(3);
    expect(await unsubscribeAndReturn()).toBe(3); // the fourth in 24 hours waits
    expect(subscriptionRow(t, 'back@example.com').state).toBe('pending');
    // A pending repeat is still held to the cooldown.
    await signup(t, 'back@example.com');
    await t.deliver();
    expect(t.mailer.sent).toHaveLength(3);
  });

  it('counts each address on its own', async () => {
    const t = await testApp();
    await signup(t, 'first@example.com');
    await signup(t, 'second@example.com');
    await signup(t, 'first@example.com');
    await t.deliver();
    expect(t.mailer.sent.map((m) => m.to).sort()).toEqual(['first@example.com', 'second@example.com']);
  });

  it('sends no mail to a confirmed address that signs up again', async () => {
    const t = await testApp();
    await confirmJson(t, (await pendingSignup(t, 'done@example.com')).confirm);
    t.clock.advance(HOUR);
    await signup(t, 'done@example.com');
    await t.deliver();
    expect(t.mailer.sent).toHaveLength(1);
    expect(subscriptionRow(t, 'done@example.com').state).toBe('confirmed');
  });

  it('answers a suppressed address exactly like a new one, in JSON and to a browser, and mails it nothing', async () => {
    const t = await testApp({ RATE_LIMIT_SIGNUP_BURST: '100' });
    await pendingSignup(t, 'gone@example.com');
    const notMe = t.mailer.sent[0].text.match(/\/not-me\?token=([\w.-]+)/)![1];
    await t.app.request('/not-me', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: notMe }) });
    t.clock.advance(25 * HOUR);
    const answer = async (email: string) => {
      const j = await signup(t, email);
      const b = await t.app.request('/lists/newsletter/subscribe', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `email=${encodeURIComponent(email)}` });
      return [j.status, await j.text(), b.status, b.headers.get('location'), await b.text()];
    };
    expect(await answer('gone@example.com')).toEqual(await answer('fresh@example.com'));
    await t.deliver();
    expect(t.mailer.sent.map((m) => m.to)).toEqual(['gone@example.com', 'fresh@example.com']);
    expect(subscriptionRow(t, 'gone@example.com').state).toBe('suppressed');
  });
});
