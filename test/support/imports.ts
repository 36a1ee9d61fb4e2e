import { readFileSync } from 'node:fs';
import type { TestApp } from './app';
import { ADMIN, type Json } from './operator';

/**
 * Import requests as an operator sends them. `importInit` is runtime-neutral (the workerd suite
 * uses it too); `fixture` reads the sample exports under test/support/fixtures/imports (Node only).
 */
export type ImportQuery = { mode: 'confirmed' | 'reconfirm' | 'suppress'; consent_source?: string; dry_run?: '1'; notify?: '1' };

export const importPath = (list: string, q: ImportQuery) => `/v1/lists/${list}/imports?${new URLSearchParams(q as Record<string, string>)}`;

export function importInit(key: string | null, body: BodyInit, type = 'text/csv'): RequestInit {
  return { method: 'POST', headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), 'content-type': type }, body };
}

export const fixture = (name: string) => readFileSync(new URL(`./fixtures/imports/${name}`, import.meta.url));

/** A CSV of `n` rows `prefix{i}@{domain}` with names, header `email,name`. */
export function csvOf(n: number, prefix = 'row', domain = 'example.com'): string {
  const lines = ['email,name'];
  for (let i = 0; i < n; i++) lines.push(`${prefix}${i}@${domain},Person ${i}`);
  return `${lines.join('\n')}\n`;
}

export type ImportReportJson = {
  id: string | null;
  mode: string;
  format: string;
  dry_run: boolean;
  state: string;
  rows: number;
  imported: number;
  skipped: Record<'suppressed' | 'erased' | 'unsubscribed' | 'already' | 'invalid' | 'duplicate', number>;
  errors: Array<{ line: number; email: string; code: string; suggestion?: string }>;
  mails_queued?: number;
};

/** POSTs a file to the import route of the Node test app and answers the status and parsed body. */
export async function runImport(t: TestApp, q: ImportQuery, body: BodyInit, opts: { list?: string; type?: string; key?: string | null } = {}) {
  const res = await t.app.request(importPath(opts.list ?? 'newsletter', q), importInit(opts.key === undefined ? ADMIN : opts.key, body, opts.type));
  return { status: res.status, body: (await res.json()) as Json };
}
