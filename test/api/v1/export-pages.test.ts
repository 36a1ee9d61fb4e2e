import { describe, expect, it, vi } from 'vitest';
import { createApp } from '../../../src/app';
import * as queries from '../../../src/db/queries/export';
import { exportChunks } from '../../../src/services/export';
import { testApp, type TestApp } from '../../support/app';
import { adminEnv, api, parseCsv } from '../../support/operator';

// The page reads, counted with the limit each asked for (the real query runs).
vi.mock('../../../src/db/queries/export', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../../src/db/queries/export')>();
  return { ...original, exportPage: vi.fn(original.exportPage) };
});

const ROWS = 2345;

async function listOfRows(): Promise<{ t: TestApp; listId: number }> {
  const t = await testApp(adminEnv);
  const { id: listId } = t.sqlite.sqlite.prepare("SELECT id FROM lists WHERE slug = 'newsletter'").get() as { id: number };
  const insert = t.sqlite.sqlite.prepare(
    "INSERT INTO subscriptions (list_id, email, key, state, signup_id, unsub_token, created_at, updated_at, confirmed_at, confirm_seq, public_id) VALUES (?, ?, ?, 'confirmed', ?, ?, 0, 0, 0, ?, 'sub_' || ?)",
  );
  t.sqlite.sqlite.transaction(() => {
    for (let i = 1; i <= ROWS; i++) insert.run(listId, `p${i}@example.com`, `p${i}@example.com`, `s${i}`, `u_${String(i).padStart(32, '0')}`, i, `s${i}`);
  })();
  return { t, listId };
}

describe('streamed export pages', () => {
  it('reads pages of the size asked and writes the same CSV whatever the size', async () => {
    const { t, listId } = await listOfRows();
    const read = async (pageRows?: number) => {
      const pages: number[] = [];
      let text = '';
      for await (const chunk of exportChunks(t.deps.db, listId, 'csv', 'http://localhost:3000', { pageRows, onPage: (n) => pages.push(n) })) text += chunk;
      return { pages, text };
    };
    const small = await read(1000);
    const large = await read();
    expect(small.pages).toEqual([1000, 1000, 345]);
    expect(large.pages).toEqual([ROWS]);
    expect(small.text).toBe(large.text);
    expect(parseCsv(small.text).slice(1).map((row) => row[0])).toEqual(Array.from({ length: ROWS }, (_, i) => `p${i + 1}@example.com`));
  });

  it("pages Node's own export connection by 1,000 rows (memory) and D1 by 5,000 (queries per invocation)", async () => {
    const { t } = await listOfRows();
    const limitsAsked = async (app: TestApp) => {
      vi.mocked(queries.exportPage).mockClear();
      const res = await api(app, 'GET', '/v1/lists/newsletter/subscribers');
      expect(res.status).toBe(200);
      expect(parseCsv(await res.text()).slice(1)).toHaveLength(ROWS);
      return vi.mocked(queries.exportPage).mock.calls.map((call) => call[4]);
    };
    // Without a separate reader (Workers, and these tests' in-memory app) the export pages through `db`.
    expect(await limitsAsked(t)).toEqual([queries.EXPORT_PAGE]);
    const node = { ...t, app: createApp({ ...t.deps, exportDb: t.deps.db }) };
    expect(await limitsAsked(node)).toEqual([1000, 1000, 1000]);
  });
});
