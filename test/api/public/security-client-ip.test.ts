import { describe, expect, it } from 'vitest';
import { served, testApp } from '../../support/app';

const post = (base: string, email: string, headers: Record<string, string> = {}) =>
  fetch(`${base}/lists/newsletter/subscribe`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ email }) });

describe('client address on Node', () => {
  it('is the socket address without TRUST_PROXY; X-Forwarded-For neither changes it nor escapes the limit', async () => {
    const t = await testApp({ RATE_LIMIT_SIGNUP_BURST: '1' });
    const s = await served(t);
    try {
      expect((await post(s.base, 'sock1@example.com', { 'x-forwarded-for': '198.51.100.1' })).status).toBe(202);
      const second = await post(s.base, 'sock2@example.com', { 'x-forwarded-for': '198.51.100.2' });
      expect(second.status).toBe(429);
      expect(second.headers.get('retry-after')).toMatch(/^\d+$/);
      const row = t.sqlite.sqlite.prepare('SELECT signup_ip FROM subscriptions').get() as { signup_ip: string };
      expect(row.signup_ip).toMatch(/^(::ffff:)?127\.0\.0\.1$/);
    } finally {
      await s.close();
    }
  });

  it('is the rightmost X-Forwarded-For entry with TRUST_PROXY=1', async () => {
    const t = await testApp({ TRUST_PROXY: '1' });
    const s = await served(t);
    try {
      expect((await post(s.base, 'proxied@example.com', { 'x-forwarded-for': '10.0.0.1, 203.0.113.77' })).status).toBe(202);
      const row = t.sqlite.sqlite.prepare('SELECT signup_ip FROM subscriptions').get() as { signup_ip: string };
      expect(row.signup_ip).toBe('203.0.113.77');
    } finally {
      await s.close();
    }
  });
});
