import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { envSchema } from '../../src/config';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('README: one environment table', () => {
  it('names every variable the configuration reads, once, and none it does not read', () => {
    const section = readme.slice(readme.indexOf('\n## Configuration\n'), readme.indexOf('\n## ', readme.indexOf('\n## Configuration\n') + 5));
    const rows = section.split('\n').filter((l) => l.startsWith('| `'));
    const names = rows.flatMap((row) => [...row.split('|')[1].matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1]));
    expect(names.length).toBe(new Set(names).size);
    expect(names.sort()).toEqual(Object.keys(envSchema.shape).sort());
  });

  it('has no other table of variables elsewhere that could disagree with it', () => {
    const elsewhere = readme.replace(readme.slice(readme.indexOf('\n## Configuration\n'), readme.indexOf('\n## ', readme.indexOf('\n## Configuration\n') + 5)), '');
    expect(elsewhere).not.toMatch(/^\| variable \| meaning \| default \|$/m);
  });
});
