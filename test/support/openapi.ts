import { Ajv2020 } from 'ajv/dist/2020.js';
import committed from '../../src/routes/v1/openapi.json';

export type ApiDoc = typeof committed;
type Json = Record<string, unknown>;

/**
 * A copy of `doc` in which no object schema allows fields it does not name, so an answer carrying
 * an undocumented field fails. (The served document stays open, as clients may expect new fields.)
 */
function closed(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(closed);
  if (node === null || typeof node !== 'object') return node;
  const out: Json = Object.fromEntries(Object.entries(node).map(([k, v]) => [k, closed(v)]));
  const object = out.type === 'object' || (Array.isArray(out.type) && out.type.includes('object'));
  if (object && out.properties && !('additionalProperties' in out)) out.additionalProperties = false;
  return out;
}

const pointer = (...parts: string[]) => parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

/**
 * Checks real answers against the response schemas of an OpenAPI 3.1 document with Ajv (JSON
 * Schema 2020-12, the dialect of OpenAPI 3.1). An answer whose status or content type the document
 * does not list for its operation fails too.
 */
export function responseChecker(doc: unknown) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  ajv.addFormat('date-time', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/);
  ajv.addFormat('date', /^\d{4}-\d\d-\d\d$/);
  ajv.addFormat('uri', (v: string) => URL.canParse(v));
  ajv.addSchema(closed(doc) as Json, 'openapi.json');
  const paths = (doc as { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>> }).paths;

  const validate = (ref: string, value: unknown, what: string) => {
    const check = ajv.getSchema(ref) ?? ajv.compile({ $ref: ref });
    if (!check(value)) throw new Error(`${what} does not match the document: ${ajv.errorsText(check.errors)}\n${JSON.stringify(value).slice(0, 2000)}`);
  };

  /** Throws unless `value` matches the component schema `name` (for what is not an answer: webhook payloads). */
  checkAnswer.schema = (name: string, value: unknown) => validate(`openapi.json#/${pointer('components', 'schemas', name)}`, value, `schema ${name}`);
  return checkAnswer;

  /** Throws unless `res` (to `method` on the path template `path`) is one of the answers the document describes. */
  async function checkAnswer(method: string, path: string, res: Response): Promise<void> {
    const what = `${method.toUpperCase()} ${path} -> ${res.status}`;
    const op = paths[path]?.[method.toLowerCase()];
    if (!op) throw new Error(`${method} ${path} is not in the document`);
    const answer = op.responses[String(res.status)];
    if (!answer) throw new Error(`${what}: status not in the document (${Object.keys(op.responses).join(', ')})`);
    const body = await res.clone().text();
    if (!answer.content) {
      if (body !== '') throw new Error(`${what}: the document describes no body, got ${body.slice(0, 200)}`);
      return;
    }
    const type = (res.headers.get('content-type') ?? '').split(';')[0].trim();
    if (!(type in answer.content)) throw new Error(`${what}: content type ${type} not in the document (${Object.keys(answer.content).join(', ')})`);
    const ref = `openapi.json#/${pointer('paths', path, method.toLowerCase(), 'responses', String(res.status), 'content', type, 'schema')}`;
    if (type === 'application/x-ndjson') {
      validate(ref, body, what);
      for (const line of body.split('\n').filter(Boolean)) validate('openapi.json#/components/schemas/ExportRow', JSON.parse(line), `${what} (a line)`);
    } else if (type.endsWith('json')) validate(ref, JSON.parse(body), what);
    else validate(ref, body, what);
  }
}

export { committed };
