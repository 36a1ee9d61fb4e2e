import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from './support/server-process';

const outdir = mkdtempSync(join(tmpdir(), 'listgate-bundle-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe('the Workers bundle', () => {
  it('builds with wrangler deploy --dry-run and carries nothing Node-only', async () => {
    const { stdout, stderr } = await promisify(execFile)('npx', ['wrangler', 'deploy', '--dry-run', '--outdir', outdir], {
      cwd: projectRoot,
      env: {
        ...process.env,
        WRANGLER_SEND_METRICS: 'false',
        WRANGLER_SEND_ERROR_REPORTS: 'false',
        WRANGLER_HIDE_BANNER: 'true',
        CLOUDFLARE_CF_FETCH_ENABLED: 'false',
        CI: 'true',
      },
      timeout: 60_000,
    });
    expect(`${stdout}${stderr}`).toContain('--dry-run: exiting now');
    const bundle = readFileSync(join(outdir, 'worker.js'), 'utf8');
    expect(bundle.length).toBeGreaterThan(10_000);
    expect(bundle).toContain('/confirm'); // the shared app is in it
    for (const nodeOnly of ['better-sqlite3', 'nodemailer', '@hono/node-server', 'smtp-server']) expect(bundle, nodeOnly).not.toContain(nodeOnly);
    expect(readdirSync(outdir).filter((f) => f.endsWith('.node'))).toEqual([]);
  }, 90_000);
});
