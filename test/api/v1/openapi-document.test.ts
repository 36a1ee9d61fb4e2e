import { describe, expect, it } from 'vitest';
import { testApp } from '../../support/app';
import { committed } from '../../support/openapi';

describe('GET /openapi.json', () => {
  it('serves exactly the committed src/routes/v1/openapi.json (run `npm run openapi` after changing a route)', async () => {
    const t = await testApp();
    const res = await t.app.request('/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual(committed);
  });

  it('describes every /v1 route the app answers, and nothing else', async () => {
    const t = await testApp();
    const answered = new Set(
      t.app.routes.filter((r) => r.path.startsWith('/v1/') && r.method !== 'ALL').map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`),
    );
    const described = new Set(Object.entries(committed.paths).flatMap(([path, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`)));
    expect([...described].sort()).toEqual([...answered].sort());
    expect(described.size).toBe(32);
  });

  it('is OpenAPI 3.1 with the bearer scheme, and every operation needs a key and names its error answers', async () => {
    expect(committed.openapi).toBe('3.1.0');
    expect(committed.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    for (const [path, item] of Object.entries(committed.paths)) {
      for (const [method, op] of Object.entries(item) as [string, { security: unknown; responses: Record<string, { content?: Record<string, unknown> }> }][]) {
        expect(op.security, `${method} ${path}`).toEqual([{ bearer: [expect.stringMatching(/^(export|events|admin)$/)] }]);
        expect(Object.keys(op.responses), `${method} ${path}`).toEqual(expect.arrayContaining(['401', '403']));
        for (const [status, answer] of Object.entries(op.responses)) {
          if (Number(status) >= 400) expect(Object.keys(answer.content ?? {}), `${method} ${path} ${status}`).toEqual(['application/problem+json']);
        }
      }
    }
  });
});
