import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The Workers bundle as `wrangler deploy` would upload it (built with --dry-run, nothing leaves the
 * machine). Budget: 450 KiB gzipped. Today ~305 KiB; mounting the SES webhook (which pulls in
 * @peculiar/x509 for SNS certificates) brings it to ~400 KiB. Cloudflare's own limit is 3 MiB on
 * the free plan; the budget is ours, so that a leaked Node-only dependency shows up as a failure.
 */
const GZIP_BUDGET_BYTES = 450 * 1024;

/** Packages and our files that must never reach workerd (native addons, sockets, DNS, files). */
const NODE_ONLY_INPUTS = [
  'node_modules/better-sqlite3/',
  'node_modules/nodemailer/',
  'node_modules/@hono/node-server/',
  'node_modules/drizzle-orm/better-sqlite3/',
  'node_modules/commander/',
  'src/node.ts',
  'src/cli.ts',
  'src/db/sqlite.ts',
  'src/http/static-files.ts',
  'src/mail/smtp.ts',
  'src/mail/mx.ts',
  'src/mail/outbox-loop.ts',
];
/** The only node: built-ins the Worker may import (nodejs_compat provides them). */
const ALLOWED_NODE_BUILTINS = new Set(['node:async_hooks']);

const root = new URL('..', import.meta.url).pathname;
let out: string;
let code: string;
let sources: string[];

beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), 'listgate-bundle-'));
  await promisify(execFile)('npx', ['wrangler', 'deploy', '--dry-run', '--outdir', out], {
    cwd: root,
    timeout: 120_000,
    env: {
      ...process.env,
      WRANGLER_SEND_METRICS: 'false',
      WRANGLER_SEND_ERROR_REPORTS: 'false',
      WRANGLER_HIDE_BANNER: 'true',
      CLOUDFLARE_CF_FETCH_ENABLED: 'false',
      CI: 'true',
    },
  });
  code = readFileSync(join(out, 'worker.js'), 'utf8');
  sources = (JSON.parse(readFileSync(join(out, 'worker.js.map'), 'utf8')) as { sources: string[] }).sources;
}, 150_000);

afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('the Workers bundle (wrangler deploy --dry-run)', () => {
  it('is built from src/worker.ts with the shared app', () => {
    expect(sources.some((s) => s.endsWith('src/worker.ts'))).toBe(true);
    expect(sources.some((s) => s.endsWith('src/app.tsx'))).toBe(true);
    expect(sources.some((s) => s.endsWith('src/db/d1.ts'))).toBe(true);
  });

  it('contains no Node-only module (better-sqlite3, nodemailer, node-server, SMTP, DNS, CLI)', () => {
    const leaked = sources.filter((s) => NODE_ONLY_INPUTS.some((bad) => s.includes(bad)));
    expect(leaked).toEqual([]);
  });

  it('imports no node: built-in beyond what nodejs_compat provides and we use', () => {
    const builtins = new Set([...code.matchAll(/\b(?:from|import)\s*\(?\s*["'](node:[\w/]+)["']/g)].map((m) => m[1]));
    expect([...builtins].filter((b) => !ALLOWED_NODE_BUILTINS.has(b))).toEqual([]);
    // Bare names too: a plain `import "dns"` would also fail on workerd or pull in a polyfill.
    expect(code).not.toMatch(/(?:\bfrom\s*|\b(?:require|import)\s*\(\s*)["'](?:node:)?(?:dns|dns\/promises|net|tls|fs|child_process)["']/);
  });

  it(`stays under the gzip budget of ${GZIP_BUDGET_BYTES / 1024} KiB`, () => {
    const gzipped = gzipSync(code).length;
    expect(gzipped).toBeLessThan(GZIP_BUDGET_BYTES);
  });
});
