import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { pushConsumers } from '../../src/db/schema';
import { openSqlite } from '../../src/db/sqlite';
import { listgate } from '../support/cli';
import { scratch } from '../support/scratch';

const files = scratch('listgate-cli-webhooks');

/** A database as the server leaves it, and the CLI's environment on it. */
function database(extra: Record<string, string> = {}) {
  const path = join(files.dir(), 'listgate.db');
  openSqlite(path).close();
  return { path, env: { DATABASE_PATH: path, ...extra } };
}

describe('npx listgate webhooks', { timeout: 60_000 }, () => {
  it('creates a webhook (secret printed once), lists it, shows it, deletes it', async () => {
    const { env } = database();
    const made = await listgate(env, 'webhooks', 'create', 'http://127.0.0.1:9/hook', '--event', 'confirmed', '--event', 'subscriber.erased');
    expect(made.code, made.stderr).toBe(0);
    expect(made.stdout.trim()).toMatch(/^whsec_/);
    const id = made.stderr.match(/created (wh_\S+)/)![1];
    const listed = await listgate(env, 'webhooks', 'list');
    expect(listed.stdout).toMatch(new RegExp(`${id}\\s+ACTIVE\\s+0\\s+-\\s+confirmed,erased\\s+\\*\\s+http://127.0.0.1:9/hook`));
    expect(listed.stdout).not.toContain('whsec_');
    const shown = JSON.parse((await listgate(env, 'webhooks', 'show', id, '--json')).stdout);
    expect(shown).toMatchObject({ id, status: 'active', events: ['subscriber.confirmed', 'subscriber.erased'], recent_attempts: [] });
    expect((await listgate(env, 'webhooks', 'delete', id)).code).toBe(0);
    expect((await listgate(env, 'webhooks', 'show', id)).code).toBe(1);
    expect((await listgate(env, 'webhooks', 'list')).stdout.trim()).toBe('no webhooks');
  });

  it('says when a webhook is disabled and why, and enables it again', async () => {
    const { path, env } = database();
    const id = (await listgate(env, 'webhooks', 'create', 'http://127.0.0.1:9/hook')).stderr.match(/created (wh_\S+)/)![1];
    const { db, close } = openSqlite(path);
    await db.update(pushConsumers).set({ disabledAt: Date.UTC(2026, 10, 20), disabledReason: 'every attempt failed for 5 days; last: HTTP 500' }).where(eq(pushConsumers.id, id));
    close();
    const listed = await listgate(env, 'webhooks', 'list');
    expect(listed.stdout).toMatch(new RegExp(`${id}\\s+DISABLED`));
    expect(listed.stderr).toContain(`${id}: DISABLED since 2026-11-20T00:00:00.000Z: every attempt failed for 5 days; last: HTTP 500`);
    expect((await listgate(env, 'webhooks', 'show', id)).stdout).toContain('DISABLED since');
    expect((await listgate(env, 'webhooks', 'enable', id)).code).toBe(0);
    expect(JSON.parse((await listgate(env, 'webhooks', 'show', id, '--json')).stdout)).toMatchObject({ status: 'active', disabled_at: null });
  });

  it('refuses what the API refuses: a private target in production (exit 1), an unknown event (exit 2), a replay past the feed', async () => {
    const { env } = database({ NODE_ENV: 'production', TOKEN_SECRET: 'cli-test-secret-cli-test-secret-cli!', MAIL_TRANSPORT: 'log' });
    const privateTarget = await listgate(env, 'webhooks', 'create', 'https://10.0.0.1/hook');
    expect(privateTarget.code).toBe(1);
    expect(privateTarget.stderr).toContain('10.0.0.1 is not a public address (private)');
    expect((await listgate(env, 'webhooks', 'create', 'https://hooks.example.com/', '--event', 'opened')).code).toBe(2);
    const allowed = await listgate({ ...env, WEBHOOK_ALLOW_PRIVATE: '1' }, 'webhooks', 'create', 'http://127.0.0.1:9/hook');
    const id = allowed.stderr.match(/created (wh_\S+)/)![1];
    const past = await listgate(env, 'webhooks', 'replay', id, '--after', '5');
    expect(past.code).toBe(1);
    expect(past.stderr).toContain('the feed ends at 0');
    expect((await listgate(env, 'webhooks', 'replay', id, '--after', '0')).stdout).toContain('replays from position 0');
  });
});
