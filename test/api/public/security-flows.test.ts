import { describe, expect, it } from 'vitest';
import { purgeExpiredPending } from '../../../src/db/queries/subscriptions';
import { from, signup, testApp } from '../../support/app';
import { count, pendingSignup } from '../../support/flow';
import { makeList } from '../../support/operator';
import { formPost, jsonPost } from '../../support/requests';

const lots = { RATE_LIMIT_SIGNUP_BURST: '1000', RATE_LIMIT_SIGNUP_PER_MINUTE: '1000', RATE_LIMIT_LIST_PER_MINUTE: '100000' };

describe('the silent per-address mail cap', () => {
  it('sends exactly one mail for 30 quick signups of one address across two lists, a second after 15 minutes', async () => {
    const t = await testApp(lots);
    await makeList(t, 'second');
    const answers = new Set<string>();
    for (let i = 0; i < 30; i++) {
      const res = await signup(t, 'victim@example.com', { list: i % 2 ? 'second' : 'newsletter', ip: `198.51.100.${i + 1}` });
      answers.add(`${res.status} ${await res.text()}`);
      t.clock.advance(1000);
    }
    expect([...answers]).toEqual(['202 {"status":"pending"}']);
    await t.deliver();
    expect(t.mailer.sent.filter((m) => m.to === 'victim@example.com')).toHaveLength(1);

    t.clock.advance(15 * 60_000);
    await signup(t, 'victim@example.com', { list: 'second', ip: '198.51.100.99' });
    await t.deliver();
    expect(t.mailer.sent.filter((m) => m.to === 'victim@example.com')).toHaveLength(2);
  });

  it('allows three mails per 24 hours, the first included, then none until the oldest is a day old', async () => {
    const t = await testApp(lots);
    const mails = () => t.mailer.sent.filter((m) => m.to === 'day@example.com').length;
    for (let i = 0; i < 5; i++) {
      await signup(t, 'day@example.com', { ip: `198.51.100.${i + 1}` });
      await t.deliver();
      t.clock.advance(16 * 60_000);
    }
    expect(mails()).toBe(3);
    t.clock.set(t.clock.now() + 24 * 3600_000 - 5 * 16 * 60_000 + 1);
    await signup(t, 'day@example.com', { ip: '198.51.100.9' });
    await t.deliver();
    expect(mails()).toBe(4);
  });
});

describe('"this wasn\'t me"', () => {
  it('puts a not-me link in every confirmation mail, text and HTML', async () => {
    const t = await testApp();
    await signup(t, 'link@example.com');
    await t.deliver();
    expect(t.mailer.sent[0].text).toMatch(/http:\/\/localhost:3000\/not-me\?token=[\w-]+\.[\w-]+\.[\w-]+/);
    expect(t.mailer.sent[0].html).toMatch(/href="http:\/\/localhost:3000\/not-me\?token=/);
  });

  it('shows a page whose button posts the token and changes nothing by itself', async () => {
    const t = await testApp();
    const { notMe } = await pendingSignup(t, 'page@example.com');
    for (let i = 0; i < 3; i++) {
      const page = await t.app.request(`/not-me?token=${notMe}`);
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain('<form method="post" action="/not-me">');
      expect(html).toContain(`name="token" value="${notMe}"`);
      expect(html).not.toContain('<script');
    }
    expect(count(t, 'suppressions')).toBe(0);
  });

  it('on press suppresses the address: no further mail on any list, signups still answered 202', async () => {
    const t = await testApp(lots);
    await makeList(t, 'second');
    const { notMe } = await pendingSignup(t, 'bombed@example.com');
    const press = await from(t, '192.0.2.1', '/not-me', formPost({ token: notMe }, { accept: 'text/html' }));
    expect(press.status).toBe(200);
    expect(await press.text()).toMatch(/won.t get any more|no more|stopped/i);
    expect(count(t, 'suppressions', "reason = 'not_me'")).toBe(1);
    expect(count(t, 'subscriptions', "key = 'bombed@example.com' AND state = 'suppressed'")).toBe(1);

    const before = t.mailer.sent.length;
    for (const list of ['newsletter', 'second', 'newsletter']) {
      t.clock.advance(24 * 3600_000);
      const res = await signup(t, 'Bombed@Example.com', { list, ip: '198.51.100.60' });
      expect(res.status).toBe(202);
      expect(await res.json()).toEqual({ status: 'pending' });
    }
    await t.deliver();
    expect(t.mailer.sent.length).toBe(before);
    expect(count(t, 'subscriptions', "key = 'bombed@example.com' AND list_id = (SELECT id FROM lists WHERE slug = 'second')")).toBe(0);
  });

  it('still works days later, after the unconfirmed signup itself was deleted', async () => {
    const t = await testApp(lots);
    const { notMe } = await pendingSignup(t, 'late@example.com');
    t.clock.advance(3 * 24 * 3600_000);
    await purgeExpiredPending(t.deps.db, t.clock.now());
    expect(count(t, 'subscriptions', "key = 'late@example.com'")).toBe(0);
    expect((await from(t, '192.0.2.4', '/not-me', jsonPost({ token: notMe }))).status).toBe(200);
    expect(count(t, 'suppressions', "reason = 'not_me'")).toBe(1);
    const before = t.mailer.sent.length;
    await signup(t, 'late@example.com', { ip: '198.51.100.62' });
    await t.deliver();
    expect(t.mailer.sent.length).toBe(before);
  });

  it('cancels a confirmation mail still waiting in the outbox', async () => {
    const t = await testApp(lots);
    await makeList(t, 'second');
    const { notMe } = await pendingSignup(t, 'queued@example.com');
    t.clock.advance(16 * 60_000);
    await signup(t, 'queued@example.com', { list: 'second', ip: '198.51.100.61' });
    expect(count(t, 'outbox', "state = 'queued'")).toBe(1);
    await from(t, '192.0.2.2', '/not-me', jsonPost({ token: notMe }));
    const sentBefore = t.mailer.sent.length;
    await t.deliver();
    expect(t.mailer.sent.length).toBe(sentBefore);
  });

  it('answers a JSON press with {"status":"suppressed"}, a second press the same, and a forged token 400', async () => {
    const t = await testApp();
    const { notMe, confirm } = await pendingSignup(t, 'twice@example.com');
    for (let i = 0; i < 2; i++) {
      const res = await from(t, '192.0.2.3', '/not-me', jsonPost({ token: notMe }));
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: 'suppressed' });
    }
    expect(count(t, 'suppressions')).toBe(1);
    // A confirm token is not a not-me token, and the reverse.
    expect((await from(t, '192.0.2.3', '/not-me', jsonPost({ token: confirm }))).status).toBe(400);
    expect((await from(t, '192.0.2.3', '/confirm', jsonPost({ token: notMe }))).status).toBe(400);
    expect((await from(t, '192.0.2.3', '/not-me', jsonPost({ token: `${notMe.slice(0, -2)}xx` }))).status).toBe(400);
  });
});
