import { describe, expect, it } from 'vitest';
import { testApp } from '../../support/app';
import { consolePost, signIn } from '../../support/console';
import { confirmed } from '../../support/flow';
import { adminEnv, makeKey } from '../../support/operator';

type AuditRow = { actor: string; action: string; target: string | null; detail: string | null };

describe('console: every action in the audit log, under the key’s id', () => {
  it('records sign-in, each change and sign-out with the key id, and addresses only as keyed hashes', async () => {
    const t = await testApp(adminEnv);
    await confirmed(t, 'ada@example.com');
    await confirmed(t, 'bob@example.com');
    const { id, key } = await makeKey(t, ['admin']);
    t.sqlite.sqlite.prepare('DELETE FROM audit_log').run();
    const s = await signIn(t, key);
    const post = async (path: string, fields: Record<string, string>) => expect((await consolePost(t, s, path, fields)).status, path).toBeLessThan(400);
    await post('/admin/lists/newsletter/settings', { name: 'Newsletter', language: 'en', 'confirmation_mail.subject': 'Hi' });
    await post('/admin/lists', { slug: 'weekly', name: 'Weekly' });
    await post('/admin/lists/newsletter/test-mail', { to: 'ops@example.com' });
    await post('/admin/subscribers', { email: 'ada@example.com' });
    await post('/admin/subscribers/unsubscribe', { email: 'ada@example.com', list: 'newsletter' });
    await post('/admin/subscribers/erase', { email: 'bob@example.com', confirm: 'erase' });
    await post('/admin/suppressions', { email: 'carol@example.com' });
    await post('/admin/suppressions/lift', { email: 'carol@example.com' });
    await post('/admin/keys', { scope_export: '1', name: 'mailer' });
    const made = t.sqlite.sqlite.prepare("SELECT id FROM api_keys WHERE name = 'mailer'").get() as { id: string };
    await post(`/admin/keys/${made.id}/revoke`, {});
    await post('/admin/lists/weekly/delete', { confirm: 'weekly' });
    await post('/admin/sign-out', {});

    const rows = t.sqlite.sqlite.prepare('SELECT actor, action, target, detail FROM audit_log ORDER BY id').all() as AuditRow[];
    expect(rows.map((r) => r.action)).toEqual([
      'console.sign_in',
      'list.replace',
      'list.create',
      'list.test_mail',
      'subscriber.lookup',
      'subscriber.unsubscribe',
      'subscriber.lookup', // the page after an unsubscribe shows the address again: that is a lookup too
      'subscriber.erase',
      'suppression.add',
      'suppression.remove',
      'key.create',
      'key.revoke',
      'list.delete',
      'console.sign_out',
    ]);
    expect(new Set(rows.map((r) => r.actor))).toEqual(new Set([id]));
    // A keyed hash where an address is the target; no address anywhere in the log.
    for (const r of rows.filter((r) => r.action.startsWith('subscriber.') || r.action.startsWith('suppression.'))) expect(r.target).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(rows)).not.toMatch(/@/);
  });
});
