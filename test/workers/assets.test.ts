import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';

// Static files are Workers static assets (wrangler.toml [assets]): Cloudflare serves them before the
// Worker runs, with the headers of src/public/_headers, and they are not part of the script bundle.
// The test pool's SELF goes straight to the Worker, so the asset layer is reached through its binding.
const assets = (env as unknown as { ASSETS: Fetcher }).ASSETS;

describe('static assets on workerd', () => {
  it('serves the stylesheet from src/public with the cache and nosniff headers of _headers', async () => {
    const res = await assets.fetch('http://localhost:8787/assets/listgate.css');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/css');
    expect(res.headers.get('cache-control')).toBe('public, max-age=3600');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await res.text()).toContain('box-sizing:border-box');
  });

  it('never serves the _headers file itself', async () => {
    expect((await assets.fetch('http://localhost:8787/_headers')).status).toBe(404);
  });
});
