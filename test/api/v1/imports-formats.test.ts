import { describe, expect, it } from 'vitest';
import { testApp } from '../../support/app';
import { subscriptionRow } from '../../support/flow';
import { fixture, runImport } from '../../support/imports-node';
import { adminEnv, api, type Json } from '../../support/operator';

const mode = { mode: 'confirmed', consent_source: 'the old provider\'s double opt-in' } as const;

/** The opt-in time the lookup shows as evidence for an address. */
async function optInAt(t: Awaited<ReturnType<typeof testApp>>, email: string) {
  return ((await (await api(t, 'GET', `/v1/subscribers/${email}`)).json()) as Json).subscriptions[0].import.opt_in_at;
}

/**
 * Sample exports with the header rows of the real services (test/support/fixtures/imports): each is
 * recognised, names and opt-in times are read, and rows the source marks as gone are skipped.
 */
describe('exports of other services', () => {
  it.each([
    ['mailchimp-subscribed.csv', 'mailchimp', 2, 0],
    ['mailchimp-unsubscribed.csv', 'mailchimp', 0, 1],
    ['mailchimp-cleaned.csv', 'mailchimp', 0, 1],
    ['substack-email-list.csv', 'substack', 2, 2],
    ['substack-dashboard.csv', 'substack', 1, 0],
    ['ghost-members.csv', 'ghost', 1, 1],
    ['buttondown-subscribers.csv', 'buttondown', 1, 2],
    ['listmonk-subscribers.csv', 'listmonk', 1, 1],
    ['plain-bom.csv', 'plain', 2, 0],
  ])('%s is read as %s: %i imported, %i skipped as unsubscribed', async (file, format, imported, unsubscribed) => {
    const t = await testApp(adminEnv);
    const res = await runImport(t, mode, fixture(file));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ format, imported, skipped: { unsubscribed, invalid: 0 } });
  });

  it('reads names (Mailchimp\'s first and last name joined) and opt-in times (the confirmation time first)', async () => {
    const t = await testApp(adminEnv);
    for (const file of ['mailchimp-subscribed.csv', 'substack-dashboard.csv', 'ghost-members.csv', 'listmonk-subscribers.csv', 'plain-bom.csv', 'buttondown-subscribers.csv']) {
      expect((await runImport(t, mode, fixture(file))).status).toBe(200);
    }
    expect(subscriptionRow(t, 'ada@example.com').name).toBe('Ada Lovelace');
    expect(subscriptionRow(t, 'fan@example.com').name).toBe('Loyal Fan');
    expect(subscriptionRow(t, 'member@example.com').name).toBe('Sam Memberino');
    expect(subscriptionRow(t, 'john@example.com').name).toBe('John Doe');
    // A UTF-8 byte order mark does not hide the first column; quoted commas stay in the name.
    expect(subscriptionRow(t, 'quoted@example.com').name).toBe('Name, With Comma');
    expect(await optInAt(t, 'ada@example.com')).toBe('2019-03-14T09:14:00.000Z');
    expect(await optInAt(t, 'grace@example.net')).toBe('2020-06-01T12:00:00.000Z');
    expect(await optInAt(t, 'fan@example.com')).toBe('2022-02-03T00:00:00.000Z');
    expect(await optInAt(t, 'member@example.com')).toBe('2022-11-20T10:00:00.000Z');
    expect(await optInAt(t, 'john@example.com')).toBe('2020-07-01T10:00:00.123Z');
    expect(await optInAt(t, 'regular@example.com')).toBe('2021-05-04T03:02:01.123Z');
    expect(await optInAt(t, 'plain@example.com')).toBeNull();
  });
});
