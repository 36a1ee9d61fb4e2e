import { asc, eq } from 'drizzle-orm';
import { putList } from '../../src/db/queries/lists';
import { apiKeys, changes, type Scope, subscriptions, suppressions } from '../../src/db/schema';
import type { ListSettings } from '../../src/db/types';
import { sha256Hex } from '../../src/domain/ids';
import type { TestApp } from './app';
import { bearer } from './requests';

export const ADMIN = 'admin-token-for-tests-0123456789';
export const adminEnv = { ADMIN_TOKEN: ADMIN, PUBLIC_URL: 'https://lists.example.org' };

/** An operator's call with a bearer key (none when null) and a JSON body when given. */
export function api(t: TestApp, method: string, path: string, key: string | null = ADMIN, body?: unknown) {
  return t.app.request(path, bearer(method, key, body));
}

/** Creates a key with ADMIN_TOKEN and answers its secret and id. */
export async function makeKey(t: TestApp, scopes: string[], lists?: string[]) {
  const res = await api(t, 'POST', '/v1/keys', ADMIN, { scopes, ...(lists ? { lists } : {}) });
  if (res.status !== 201) throw new Error(`key: ${res.status} ${await res.text()}`);
  return (await res.json()) as { id: string; key: string; prefix: string };
}

/** Creates (or replaces) a list with the given settings; answers its row. */
export async function makeList(t: TestApp, slug: string, settings: Partial<ListSettings> = {}) {
  return (await putList(t.deps.db, slug, { name: slug, ...settings }, t.clock.now())).list;
}

/** A stored API key with the given scopes, made without the API; answers the bearer secret. */
export async function apiKey(t: TestApp, scopes: Scope[], lists: string[] | null = null): Promise<string> {
  const key = `lg_test_${crypto.randomUUID()}`;
  await t.deps.db.insert(apiKeys).values({ id: crypto.randomUUID(), prefix: key.slice(0, 8), hash: await sha256Hex(key), scopes, lists, createdAt: t.clock.now() });
  return key;
}

/** The address's subscription states, by list id. */
export function states(t: TestApp, email: string) {
  return t.deps.db.select({ listId: subscriptions.listId, state: subscriptions.state }).from(subscriptions).where(eq(subscriptions.email, email)).orderBy(asc(subscriptions.listId)).all();
}

/** The changes feed of a list, oldest first. */
export function feed(t: TestApp, listId: number) {
  return t.deps.db.select({ type: changes.type, email: changes.email }).from(changes).where(eq(changes.listId, listId)).orderBy(asc(changes.seq)).all();
}

export function suppressionRows(t: TestApp) {
  return t.deps.db.select().from(suppressions).all();
}

/** A small RFC 4180 reader: quoted fields may hold commas, doubled quotes and line breaks. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') row.push(field), (field = '');
    else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field), rows.push(row), (row = []), (field = ''), i++;
    } else if (ch === '\n') throw new Error(`bare LF outside quotes at ${i}`);
    else field += ch;
  }
  if (field !== '' || row.length) throw new Error('last record lacks CRLF');
  return rows;
}

/** Answers in tests are read loosely; the assertions say what shape they must have. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;
