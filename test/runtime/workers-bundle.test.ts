import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The Workers bundle as `wrangler deploy` would upload it (built with --dry-run, nothing leaves the
 * machine), with esbuild's metafile saying which input put how many bytes into the script.
 *
 * Budget: 1 MiB gzipped for the script. Cloudflare's own limit is higher (3 MiB gzipped on the free
 * plan, 10 MiB paid, when this was written), but every cold start parses the whole script and runs
 * its top level, within a 1 s startup limit, so startup time grows with size. 1 MiB leaves room for
 * what is coming (OpenAPI, the console, mail rendering, CSV import, more webhooks) while a leaked
 * Node library or a bundled asset (those belong in Workers static assets) still shows up as a
 * failure. The budget test prints each dependency's share, largest first, so a change can see what
 * it adds.
 */
const GZIP_BUDGET_BYTES = 1024 * 1024;

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
  'src/db/server-lock.ts',
  'src/http/static-files.ts',
  'src/mail/smtp.ts',
  'src/mail/mx.ts',
  'src/db/sqlite-reader.ts',
  'src/mail/drain-loop.ts',
  'src/ratelimit/memory.ts',
  'src/cli/',
];
/** The only node: built-ins the Worker may import (nodejs_compat provides them). */
// node:crypto: the address HMAC (createHmac answers synchronously; src/domain/ids.ts).
const ALLOWED_NODE_BUILTINS = new Set(['node:async_hooks', 'node:crypto']);

const root = new URL('../..', import.meta.url).pathname;
let out: string;
let code: string;
/** Bytes each input (path relative to the project) contributes to worker.js; tree-shaken inputs left out. */
let inputs: Array<{ path: string; bytes: number }>;
let sources: string[];

type Metafile = { outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }> }> };

beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), 'listgate-bundle-'));
  await promisify(execFile)('npx', ['wrangler', 'deploy', '--dry-run', '--outdir', out, '--metafile', join(out, 'meta.json')], {
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
  const meta = JSON.parse(readFileSync(join(out, 'meta.json'), 'utf8')) as Metafile;
  const script = Object.entries(meta.outputs).find(([path]) => path.endsWith('/worker.js'));
  if (!script) throw new Error(`no worker.js among the metafile's outputs: ${Object.keys(meta.outputs).join(', ')}`);
  inputs = Object.entries(script[1].inputs)
    .filter(([, i]) => i.bytesInOutput > 0)
    .map(([path, i]) => ({ path, bytes: i.bytesInOutput }));
  sources = inputs.map((i) => i.path);
}, 150_000);

afterAll(() => rmSync(out, { recursive: true, force: true }));

/** Who an input belongs to: its npm package (the innermost node_modules), or our src/ folder. */
function owner(path: string): string {
  const at = path.lastIndexOf('node_modules/');
  if (at >= 0) {
    const [scope, name] = path.slice(at + 'node_modules/'.length).split('/');
    return scope.startsWith('@') ? `${scope}/${name}` : scope;
  }
  const src = path.match(/(?:^|\/)src\/(.*)$/);
  if (src) return src[1].includes('/') ? `src/${src[1].split('/')[0]}/` : 'src/ (top-level files)';
  return path;
}

/** Each owner's bytes in the script and share of it, largest first, as a printable table. */
function shares(total: number): string {
  const by = new Map<string, { bytes: number; files: number }>();
  for (const i of inputs) {
    const o = by.get(owner(i.path)) ?? { bytes: 0, files: 0 };
    by.set(owner(i.path), { bytes: o.bytes + i.bytes, files: o.files + 1 });
  }
  const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`.padStart(11);
  const rows = [...by].sort((a, b) => b[1].bytes - a[1].bytes);
  const width = Math.max(...rows.map(([name]) => name.length));
  const glue = total - inputs.reduce((n, i) => n + i.bytes, 0);
  return [
    ...rows.map(([name, o]) => `${name.padEnd(width)} ${kib(o.bytes)} ${((o.bytes / total) * 100).toFixed(1).padStart(5)} %  (${o.files} file${o.files > 1 ? 's' : ''})`),
    `${'(esbuild glue)'.padEnd(width)} ${kib(glue)} ${((glue / total) * 100).toFixed(1).padStart(5)} %`,
  ].join('\n');
}

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

  it(`stays under the gzip budget of ${GZIP_BUDGET_BYTES / 2 ** 20} MiB (and prints each dependency's share)`, () => {
    const raw = Buffer.byteLength(code);
    const gzipped = gzipSync(code).length;
    console.log(
      `Workers script: ${(raw / 1024).toFixed(1)} KiB, ${(gzipped / 1024).toFixed(1)} KiB gzipped ` +
        `(budget ${GZIP_BUDGET_BYTES / 1024} KiB, ${((gzipped / GZIP_BUDGET_BYTES) * 100).toFixed(0)} % used).\n` +
        `Share of the script before compression, by package or src/ folder:\n${shares(raw)}`,
    );
    expect(gzipped).toBeLessThan(GZIP_BUDGET_BYTES);
  });
});
