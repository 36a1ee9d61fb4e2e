import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config';

const SECRET = 's'.repeat(32);
const prod = { NODE_ENV: 'production', TOKEN_SECRET: SECRET, RESEND_API_KEY: 're_live_key' };

function refusal(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('loadConfig accepted the environment');
}

describe('configuration defaults', () => {
  it("match the contract's table when nothing is set", () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      PORT: 3000,
      HOST: '127.0.0.1',
      PUBLIC_URL: 'http://localhost:3000',
      DATABASE_PATH: './data/listgate.db',
      MAIL_FROM: 'listgate <onboarding@localhost>',
      MAIL_RATE_PER_SECOND: 2,
      CONFIRM_TTL_HOURS: 48,
      TRUST_PROXY: false,
      CHECK_MX: false,
      TURNSTILE_VERIFY_URL: 'https://challenges.cloudflare.com/turnstile/v0/siteverify',
      production: false,
      mailTransport: 'log',
    });
    expect(c.TOKEN_SECRET).toBeUndefined();
    expect(c.ADMIN_TOKEN).toBeUndefined();
    expect(c.SES_TOPIC_ARNS).toEqual([]);
  });

  it('chooses resend when RESEND_API_KEY is set, else log in development', () => {
    expect(loadConfig({ RESEND_API_KEY: 're_x' }).mailTransport).toBe('resend');
    expect(loadConfig({ RESEND_API_KEY: '' }).mailTransport).toBe('log');
    expect(loadConfig({ MAIL_TRANSPORT: 'smtp', SMTP_URL: 'smtp://u:p@127.0.0.1:2525' }).mailTransport).toBe('smtp');
  });

  it('reads numbers, flags and lists from strings', () => {
    const c = loadConfig({ PORT: '0', CONFIRM_TTL_HOURS: '0.25', TRUST_PROXY: '1', CHECK_MX: 'true', SES_TOPIC_ARNS: 'arn:a, arn:b,', PUBLIC_URL: 'https://news.example/' });
    expect(c).toMatchObject({ PORT: 0, CONFIRM_TTL_HOURS: 0.25, TRUST_PROXY: true, CHECK_MX: true, SES_TOPIC_ARNS: ['arn:a', 'arn:b'], PUBLIC_URL: 'https://news.example' });
  });

  it('refuses values that cannot be right, naming the variable', () => {
    expect(refusal({ PORT: 'eighty' })).toContain('PORT');
    expect(refusal({ CONFIRM_TTL_HOURS: '0' })).toContain('CONFIRM_TTL_HOURS');
    expect(refusal({ MAIL_TRANSPORT: 'pigeon' })).toContain('MAIL_TRANSPORT');
    expect(refusal({ PUBLIC_URL: 'ftp://files.example' })).toContain('PUBLIC_URL');
    expect(refusal({ MAIL_TRANSPORT: 'resend' })).toContain('RESEND_API_KEY');
    expect(refusal({ MAIL_TRANSPORT: 'smtp' })).toContain('SMTP_URL');
  });
});

describe('token secrets', () => {
  it('refuse a TOKEN_SECRET shorter than 32 bytes, counting UTF-8 bytes, without echoing it', () => {
    const message = refusal({ TOKEN_SECRET: 'short-but-secret-value-31-bytes' });
    expect(message).toContain('TOKEN_SECRET must be at least 32 bytes');
    expect(message).not.toContain('short-but-secret');
    expect(loadConfig({ TOKEN_SECRET: SECRET }).TOKEN_SECRET).toBe(SECRET);
    expect(refusal({ TOKEN_SECRET: 'x'.repeat(31) })).toContain('TOKEN_SECRET');
    expect(loadConfig({ TOKEN_SECRET: 'あ'.repeat(11) }).TOKEN_SECRET).toHaveLength(11); // 33 bytes in 11 characters
  });

  it('hold TOKEN_SECRET_PREVIOUS to the same length', () => {
    expect(refusal({ TOKEN_SECRET: SECRET, TOKEN_SECRET_PREVIOUS: 'old' })).toContain('TOKEN_SECRET_PREVIOUS');
    expect(loadConfig({ TOKEN_SECRET: SECRET, TOKEN_SECRET_PREVIOUS: 'p'.repeat(32) }).TOKEN_SECRET_PREVIOUS).toBe('p'.repeat(32));
  });
});

describe('production (NODE_ENV=production)', () => {
  it('starts with a token secret and a real transport', () => {
    expect(loadConfig(prod)).toMatchObject({ production: true, mailTransport: 'resend' });
    expect(loadConfig({ ...prod, RESEND_API_KEY: '', MAIL_TRANSPORT: 'smtp', SMTP_URL: 'smtp://u:p@mail.example:587' }).mailTransport).toBe('smtp');
  });

  it('refuses to start without TOKEN_SECRET', () => {
    expect(refusal({ ...prod, TOKEN_SECRET: '' })).toContain('TOKEN_SECRET is required when NODE_ENV=production');
    const { TOKEN_SECRET: _, ...withoutSecret } = prod;
    expect(refusal(withoutSecret)).toContain('TOKEN_SECRET');
  });

  it('refuses a short TOKEN_SECRET', () => {
    expect(refusal({ ...prod, TOKEN_SECRET: 'x'.repeat(16) })).toContain('at least 32 bytes');
  });

  it('refuses to fall back to the log transport', () => {
    expect(refusal({ NODE_ENV: 'production', TOKEN_SECRET: SECRET })).toContain('MAIL_TRANSPORT');
  });

  it('uses the log transport only when MAIL_TRANSPORT=log is set explicitly', () => {
    expect(loadConfig({ NODE_ENV: 'production', TOKEN_SECRET: SECRET, MAIL_TRANSPORT: 'log' }).mailTransport).toBe('log');
  });

  it('lists every problem at once', () => {
    const message = refusal({ NODE_ENV: 'production' });
    expect(message).toContain('TOKEN_SECRET');
    expect(message).toContain('MAIL_TRANSPORT');
  });
});

describe('Amazon SES (MAIL_TRANSPORT=ses)', () => {
  const ses = { MAIL_TRANSPORT: 'ses', AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE', AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };

  it('starts in production with a region and a key; the configuration set and endpoint are optional', () => {
    expect(loadConfig({ ...prod, RESEND_API_KEY: '', ...ses })).toMatchObject({ mailTransport: 'ses', AWS_REGION: 'eu-west-1' });
    expect(loadConfig({ ...ses, SES_CONFIGURATION_SET: 'listgate-events', SES_ENDPOINT: 'http://127.0.0.1:4566' })).toMatchObject({ SES_CONFIGURATION_SET: 'listgate-events', SES_ENDPOINT: 'http://127.0.0.1:4566' });
  });

  it('names every missing variable at once, and never echoes the secret', () => {
    const message = refusal({ MAIL_TRANSPORT: 'ses', AWS_SECRET_ACCESS_KEY: 'secret-value-here' });
    expect(message).toContain('MAIL_TRANSPORT=ses needs AWS_REGION, AWS_ACCESS_KEY_ID');
    expect(message).not.toContain('secret-value-here');
  });

  it('refuses a region, configuration set name or endpoint that cannot be right', () => {
    expect(refusal({ ...ses, AWS_REGION: 'Ireland' })).toContain('AWS_REGION');
    expect(loadConfig({ ...ses, AWS_REGION: 'us-gov-west-1' }).AWS_REGION).toBe('us-gov-west-1');
    expect(refusal({ ...ses, SES_CONFIGURATION_SET: 'has spaces' })).toContain('SES_CONFIGURATION_SET');
    expect(refusal({ ...ses, SES_CONFIGURATION_SET: 'x'.repeat(65) })).toContain('SES_CONFIGURATION_SET');
    expect(refusal({ ...ses, SES_ENDPOINT: 'email.eu-west-1.amazonaws.com' })).toContain('SES_ENDPOINT');
  });
});
