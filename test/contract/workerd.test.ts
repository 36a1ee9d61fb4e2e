import { describe, it } from 'vitest';
import { suites } from '.';
import { workerHarness } from '../workers/harness';

// The same cases as test/contract/node.test.ts, answered by src/worker.ts over D1.
for (const suite of suites) {
  describe(`contract on workerd: ${suite.name}`, () => {
    for (const c of suite.cases) it(c.name, async () => c.run(workerHarness()));
  });
}
