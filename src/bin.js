#!/usr/bin/env node
// The `listgate` command: Node 20 cannot run TypeScript itself, so tsx loads the CLI source.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./cli.ts');
await main();
