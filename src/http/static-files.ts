import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * Cloudflare's `_headers` format, the part we use: a path (a trailing `*` matches any rest) followed
 * by indented `Name: value` lines. Workers static assets apply the file themselves; Node applies the
 * same file here, so both runtimes send the same headers with every asset.
 */
export function parseHeadersFile(text: string): Array<{ pattern: string; headers: Record<string, string> }> {
  const rules: Array<{ pattern: string; headers: Record<string, string> }> = [];
  for (const line of text.split(/\r?\n/)) {
    if (!line.trim() || line.trim().startsWith('#')) continue;
    if (!/^\s/.test(line)) rules.push({ pattern: line.trim(), headers: {} });
    else if (rules.length) {
      const i = line.indexOf(':');
      if (i > 0) rules[rules.length - 1].headers[line.slice(0, i).trim()] = line.slice(i + 1).trim();
    }
  }
  return rules;
}

const matches = (pattern: string, path: string) => (pattern.endsWith('*') ? path.startsWith(pattern.slice(0, -1)) : path === pattern);

/**
 * The Node side of static assets: every file under `dir` (src/public, or dist/public in the build),
 * read once at start-up and served at its path. Names starting with `_` or `.` (`_headers`) are
 * configuration, never served. Workers serve the same folder as static assets (wrangler.toml).
 */
export function staticFiles(dir: string): (path: string) => Response | undefined {
  let rules: ReturnType<typeof parseHeadersFile> = [];
  const files = new Map<string, { body: Uint8Array<ArrayBuffer>; type: string; etag: string }>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    // parentPath since Node 20.12; `path` before it.
    const full = join(entry.parentPath ?? (entry as { path?: string }).path, entry.name);
    const path = `/${relative(dir, full).split(sep).join('/')}`;
    if (path === '/_headers') rules = parseHeadersFile(readFileSync(full, 'utf8'));
    if (path.split('/').some((part) => part.startsWith('_') || part.startsWith('.'))) continue;
    const body = new Uint8Array(readFileSync(full));
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"`;
    files.set(path, { body, type: TYPES[extname(full)] ?? 'application/octet-stream', etag });
  }
  return (path) => {
    const file = files.get(path);
    if (!file) return undefined;
    const headers: Record<string, string> = { 'Content-Type': file.type, ETag: file.etag };
    for (const rule of rules) if (matches(rule.pattern, path)) Object.assign(headers, rule.headers);
    return new Response(file.body, { status: 200, headers });
  };
}
