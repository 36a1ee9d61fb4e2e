#!/usr/bin/env node
// `npx listgate` from a source checkout: Node 20 cannot run TypeScript itself, so tsx loads the CLI
// source. After `npm run build`, `node dist/listgate.js` is the same command without tsx.
import { register } from 'tsx/esm/api';

register();
await import('./listgate.ts');
