#!/usr/bin/env node
// `npm run build`: compiles the Node server and the CLI to plain JavaScript in dist/, so production
// runs `node dist/node.js` and `node dist/listgate.js` with no TypeScript tooling loaded. Packages
// stay in node_modules (better-sqlite3 is a native addon); the static files are copied beside them.
import { chmod, cp, readFile, rm, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const outdir = process.env.LISTGATE_BUILD_OUTDIR ?? `${root}dist`;

/**
 * Packages load from node_modules at run time, except JSON data files (the disposable-domain list):
 * Node would want an import attribute for those, so they are inlined.
 */
const packagesExternal = {
  name: 'packages-external',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => (args.path.endsWith('.json') ? undefined : { path: args.path, external: true }));
  },
};

await rm(outdir, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: { node: 'src/node.ts', listgate: 'src/listgate.ts' },
  outdir,
  bundle: true,
  // Two self-contained files: in each, every package loads before any of our code runs (shared
  // chunks would run first, before @hono/zod-openapi has given zod schemas their .openapi()).
  splitting: false,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  plugins: [packagesExternal],
  sourcemap: true,
  logLevel: 'warning',
});
// The CLI is an executable script.
const cli = `${outdir}/listgate.js`;
await writeFile(cli, `#!/usr/bin/env node\n${await readFile(cli, 'utf8')}`);
await chmod(cli, 0o755);
// Static files: served from dist/public, the same place relative to dist/node.js as src/public to src/node.ts.
await cp(`${root}src/public`, `${outdir}/public`, { recursive: true });
console.log(`built ${outdir}: node.js (server), listgate.js (CLI), public/`);
