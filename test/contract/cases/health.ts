import { expect } from 'vitest';
import type { ContractCase } from '../harness';

export const cases: ContractCase[] = [
  {
    name: 'GET /healthz answers 200 while the database accepts writes, with the outbox detail',
    async run(h) {
      const res = await h.request('/healthz');
      expect(res.status).toBe(200);
      const body = (await res.json()) as { status: string; outbox: { oldest_waiting_seconds: number | null; failures_last_hour: number } };
      expect(body.status).toBe('ok');
      expect(body.outbox.failures_last_hour).toBeGreaterThanOrEqual(0);
      expect(body.outbox.oldest_waiting_seconds === null || body.outbox.oldest_waiting_seconds >= 0).toBe(true);
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
