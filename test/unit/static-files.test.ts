import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseHeadersFile, staticFiles } from '../../src/http/static-files';
import { testApp } from '../support/app';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('static files on Node (src/public, the folder Workers serve as assets)', () => {
  it('serves the stylesheet through the app with the headers of _headers and the security headers', async () => {
    const t = await testApp(); // the test app serves src/public as the Node server does
    const res = await t.app.request('/assets/listgate.css');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('public, max-age=3600');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('etag')).toMatch(/^"[\w-]{16}"$/);
    expect(await res.text()).toContain('box-sizing:border-box');
    expect((await t.app.request('/assets/nope.css')).status).toBe(404);
  });

  it('never serves configuration files (names starting with _ or .)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'listgate-static-'));
    dirs.push(dir);
    mkdirSync(join(dir, 'assets', '_drafts'), { recursive: true });
    writeFileSync(join(dir, '_headers'), '/assets/*\n  Cache-Control: no-cache\n');
    writeFileSync(join(dir, 'assets', 'app.js'), 'export {};');
    writeFileSync(join(dir, 'assets', '.hidden.js'), 'secret');
    writeFileSync(join(dir, 'assets', '_drafts', 'x.css'), 'x');
    const serve = staticFiles(dir);
    expect(serve('/_headers')).toBeUndefined();
    expect(serve('/assets/.hidden.js')).toBeUndefined();
    expect(serve('/assets/_drafts/x.css')).toBeUndefined();
    const js = serve('/assets/app.js')!;
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toBe('no-cache');
  });

  it('reads the _headers format: paths with a trailing *, indented headers, comments', () => {
    expect(parseHeadersFile('# c\n/assets/*\n  A: 1\n  B: x: y\n\n/exact\n  C: 2\n')).toEqual([
      { pattern: '/assets/*', headers: { A: '1', B: 'x: y' } },
      { pattern: '/exact', headers: { C: '2' } },
    ]);
  });
});
