import { describe, expect, it } from 'vitest';
import { signup, testApp } from '../../support/app';
import { confirmTokenFor, notMeTokenFor } from '../../support/mail';

const browser = { accept: 'text/html', 'accept-language': 'en' };

// Without a doctype browsers render in quirks mode: every hosted page, error pages included.
describe('every HTML page', () => {
  it('starts with <!doctype html>', async () => {
    const t = await testApp();
    await signup(t, 'doctype@example.com');
    await t.deliver();
    const token = confirmTokenFor(t.mailer.sent, 'doctype@example.com');
    const notMe = notMeTokenFor(t.mailer.sent, 'doctype@example.com');
    const pages: Array<[string, RequestInit?]> = [
      ['/lists/newsletter'],
      ['/lists/newsletter/check-inbox'],
      [`/confirm?token=${token}`],
      ['/confirm?token=forged'],
      ['/confirmed?list=newsletter'],
      [`/not-me?token=${notMe}`],
      ['/unsubscribe?token=u_nonexistent'],
      ['/lists/no-such-list'],
      ['/no-such-page'],
      ['/lists/newsletter/subscribe', { method: 'POST', headers: { ...browser, 'content-type': 'application/x-www-form-urlencoded' }, body: 'email=not-an-address' }],
    ];
    const seen = new Set<number>();
    for (const [path, init] of pages) {
      const res = await t.app.request(path, { headers: browser, ...init }, { clientIp: '198.51.100.40' });
      expect(res.headers.get('content-type'), path).toContain('text/html');
      expect((await res.text()).startsWith('<!doctype html><html lang="en">'), path).toBe(true);
      seen.add(res.status);
    }
    // Success pages and error pages alike.
    expect([...seen].sort()).toEqual([200, 400, 404, 422]);
  });
});
