// The `listgate` command as built (`node dist/listgate.js`); from source, src/bin.js loads it through tsx.
import { main } from './cli';

await main();
