import { Resend } from 'resend';
import { afterEach, describe, it } from 'vitest';
import { createResendFake } from '../../support/fakes/resend/core';
import { routeResendFetch } from '../../support/fakes/resend/fetch';
import type { ResendFakeOptions } from '../../support/fakes/resend/types';
import { cases } from './cases';

// The same cases as node.test.ts, with the imitation answering workerd's fetch.
const routes: Array<() => void> = [];
let n = 0;
async function start(opts?: ResendFakeOptions) {
  const fake = createResendFake(opts);
  const baseUrl = `https://resend-case-${++n}.test`;
  routes.push(routeResendFetch(baseUrl, fake), () => fake.close());
  return { fake, baseUrl, sdk: (key = 're_test') => new Resend(key, { baseUrl }) };
}
afterEach(() => {
  for (const undo of routes.splice(0)) undo();
});

describe('the resend SDK against the Resend imitation as fetch (workerd)', () => {
  for (const c of cases) it(c.name, () => c.run(start));
});
