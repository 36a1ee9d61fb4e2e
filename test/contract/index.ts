/// <reference types="vite/client" />
import type { ContractCase } from './harness';

/**
 * Every file in ./cases exporting `cases` is picked up by both runners (Node and workerd):
 * adding contract cases for a new endpoint is one new file, nothing to register.
 */
const modules = import.meta.glob<{ cases: ContractCase[] }>('./cases/*.ts', { eager: true });

export const suites = Object.entries(modules)
  .map(([path, m]) => ({ name: path.replace(/^.*\/|\.ts$/g, ''), cases: m.cases }))
  .sort((a, b) => a.name.localeCompare(b.name));

export type { ContractCase, Harness } from './harness';
