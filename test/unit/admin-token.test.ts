import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config';
import { testApp } from '../support/app';

const production = { NODE_ENV: 'production', TOKEN_SECRET: 'x'.repeat(32), MAIL_TRANSPORT: 'log' };
const refused = (env: Record<string, string>) => () => loadConfig(env);

describe('ADMIN_TOKEN: the configuration accepts exactly what the API accepts', () => {
  it.each([
    ['250 characters', 'a'.repeat(250)],
    ['a space inside', 'correct horse battery staple 12345'],
    ['a non-ASCII character', `${'a'.repeat(20)}é`],
    ['too short (development: 16)', 'short-token-1234'.slice(0, 15)],
  ])('refuses a token with %s at start', (_, token) => {
    expect(refused({ ADMIN_TOKEN: token })).toThrow(ConfigError);
  });

  it('needs at least 32 characters in production, 16 in development', () => {
    expect(refused({ ...production, ADMIN_TOKEN: 'a'.repeat(31) })).toThrow(/ADMIN_TOKEN must be at least 32 characters in production/);
    expect(loadConfig({ ...production, ADMIN_TOKEN: 'a'.repeat(32) }).ADMIN_TOKEN).toHaveLength(32);
    expect(loadConfig({ ADMIN_TOKEN: 'a'.repeat(16) }).ADMIN_TOKEN).toHaveLength(16);
  });

  it.each([
    ['the longest allowed', 'k'.repeat(200)],
    ['every kind of visible character', `!"#$%&'()*+,-./09:;<=>?@AZ[\\]^_\`az{|}~`],
  ])('a token the server starts with (%s) opens the API', async (_, token) => {
    const t = await testApp({ ADMIN_TOKEN: token });
    const res = await t.app.request('/v1/keys', { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect((await t.app.request('/v1/keys', { headers: { authorization: `Bearer ${token}x` } })).status).toBe(401);
  });
});
