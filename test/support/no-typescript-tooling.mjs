// Loaded with `node --import` in front of the built server or CLI: any module of tsx, typescript or
// esbuild that the process tries to load makes it fail at once, so "no TypeScript tooling loaded"
// is checked by the process itself.
import { register } from 'node:module';

const hook = `
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  if (/\\/node_modules\\/(?:tsx|typescript|esbuild|@esbuild|get-tsconfig)\\//.test(result.url)) {
    throw new Error('TypeScript tooling loaded: ' + result.url);
  }
  return result;
}`;
register(`data:text/javascript,${encodeURIComponent(hook)}`);
