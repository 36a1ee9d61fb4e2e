import { describe, expect, it } from 'vitest';
import { testApp } from '../../support/app';
import { committed } from '../../support/openapi';

describe('GET /docs', () => {
  it('renders every operation of the document on the server, with no script and no inline style', async () => {
    const t = await testApp();
    const res = await t.app.request('/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html.startsWith('<!doctype html>')).toBe(true);
    for (const [path, item] of Object.entries(committed.paths)) {
      for (const method of Object.keys(item)) expect(html, `${method} ${path}`).toContain(`${method.toUpperCase()} ${path}`);
    }
    for (const name of Object.keys(committed.components.schemas)) expect(html).toContain(`id="schema-${name}"`);
    expect(html).toContain('href="/openapi.json"');
    expect(html).not.toMatch(/<script|\sstyle=|<style|\son[a-z]+=/i);
  });

  it('loads only stylesheets it serves itself, under the pages\' CSP', async () => {
    const t = await testApp();
    const res = await t.app.request('/docs');
    expect(res.headers.get('content-security-policy')).toContain("style-src 'self'");
    expect(res.headers.get('content-security-policy')).not.toMatch(/unsafe-inline|script-src/);
    const links = [...(await res.text()).matchAll(/<link[^>]*href="([^"]+)"/g)].map((m) => m[1]);
    expect(links).toEqual(['/assets/listgate.css', '/assets/api-docs.css']);
    for (const href of links) {
      const css = await t.app.request(href);
      expect(css.status, href).toBe(200);
      expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    }
  });
});
