import { writeFileSync } from 'node:fs';
import { createApi } from '../app';
import { apiDocument } from '../routes/v1/document';

/** `npm run openapi`: writes the API's OpenAPI document to src/routes/v1/openapi.json (a test keeps it current). */
const target = new URL('../routes/v1/openapi.json', import.meta.url);
writeFileSync(target, `${JSON.stringify(apiDocument(createApi()), null, 2)}\n`);
console.log(`wrote ${target.pathname}`);
