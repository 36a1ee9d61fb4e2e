import { readFileSync } from 'node:fs';
import type { TestApp } from './app';
import { importInit, importPath, type ImportQuery } from './imports';
import { ADMIN, type Json } from './operator';

/** A sample export under test/support/fixtures/imports (header rows of the real services). */
export const fixture = (name: string) => readFileSync(new URL(`./fixtures/imports/${name}`, import.meta.url));

/** POSTs a file to the import route of the Node test app and answers the status and parsed body. */
export async function runImport(t: TestApp, q: ImportQuery, body: BodyInit, opts: { list?: string; type?: string; key?: string | null } = {}) {
  const res = await t.app.request(importPath(opts.list ?? 'newsletter', q), importInit(opts.key === undefined ? ADMIN : opts.key, body, opts.type));
  return { status: res.status, body: (await res.json()) as Json };
}
