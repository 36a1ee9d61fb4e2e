import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import committed from '../../src/routes/v1/openapi.json';
import { workerHarness } from './harness';

// The API description on workerd: the same document as on Node, and the reference page with it.
describe('API description on workerd', () => {
  it('serves the committed OpenAPI document at /openapi.json', async () => {
    const res = await workerHarness().request('/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual(committed);
  });

  it('serves /docs rendered on the server, with its stylesheet and no script', async () => {
    const h = workerHarness();
    const res = await h.request('/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("style-src 'self'");
    const html = await res.text();
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('<code>PUT /v1/lists/{list}</code>');
    expect(html).not.toMatch(/<script|\sstyle=/i);
    // Its stylesheet is a static asset (src/public), served by the asset layer before the Worker.
    const css = await (env as unknown as { ASSETS: Fetcher }).ASSETS.fetch('http://localhost:8787/assets/api-docs.css');
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
  });
});
