import { expect } from 'vitest';
import type { ContractCase } from '../harness';

export const cases: ContractCase[] = [
  {
    name: 'GET /healthz answers 200 when the database answers',
    async run(h) {
      const res = await h.request('/healthz');
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: 'ok' });
    },
  },
  {
    name: 'an unknown path answers 404 problem+json to a JSON client',
    async run(h) {
      const res = await h.request('/no-such-thing', { headers: { accept: 'application/json' } });
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    },
  },
];
