import { writeFileSync } from 'node:fs';
import { createApi } from '../src/app';
import { apiDocument } from '../src/routes/v1/document';

/** `npm run openapi`: writes the API's OpenAPI document to src/routes/v1/openapi.json (a test keeps it current). */
const target = new URL('../src/routes/v1/openapi.json', import.meta.url);
writeFileSync(target, `${JSON.stringify(apiDocument(createApi()), null, 2)}\n`);
console.log(`wrote ${target.pathname}`);
