import type { Child } from 'hono/jsx';

// The JSON Schemas of an OpenAPI 3.1 document rendered for people: the parts of /docs below an operation.

/** The parts of an OpenAPI 3.1 document (and its JSON Schemas) the reference page shows. */
export type Schema = {
  $ref?: string;
  type?: string | string[];
  description?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  oneOf?: Schema[];
  anyOf?: Schema[];
  enum?: unknown[];
  default?: unknown;
  format?: string;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  additionalProperties?: boolean | Schema;
};
export type Parameter = { name: string; in: string; required?: boolean; description?: string; schema?: Schema };
export type Content = Record<string, { schema?: Schema }>;
export type Response = { description: string; headers?: Record<string, { description?: string }>; content?: Content };
export type Operation = {
  summary?: string;
  description?: string;
  tags?: string[];
  security?: Record<string, string[]>[];
  parameters?: Parameter[];
  requestBody?: { description?: string; required?: boolean; content: Content };
  responses: Record<string, Response>;
};
export type Document = {
  info: { title: string; version: string; description?: string };
  paths?: Record<string, Record<string, Operation>>;
  /** What the service sends to receivers (outbound webhooks), by event name. */
  webhooks?: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema>; securitySchemes?: Record<string, { description?: string }> };
};

export const refName = (ref: string) => ref.slice(ref.lastIndexOf('/') + 1);
export const schemaAnchor = (name: string) => `schema-${name}`;
const literal = (v: unknown) => <code>{JSON.stringify(v)}</code>;

/** Text with `code` spans. */
export const inline = (text: string): Child[] => text.split('`').map((part, i) => (i % 2 ? <code>{part}</code> : part));

/** Plain text with `code` spans, a paragraph per blank-line-separated block. */
export function Text(props: { text?: string }) {
  if (!props.text) return null;
  return <>{props.text.split(/\n\s*\n/).map((para) => <p>{inline(para)}</p>)}</>;
}

export function joined(items: Child[], separator: string): Child[] {
  return items.flatMap((item, i) => (i ? [separator, item] : [item]));
}

/** The type of a schema in a few words, with links to named schemas. */
export function TypeOf(props: { schema: Schema }): Child {
  const s = props.schema;
  if (s.$ref) return <a href={`#${schemaAnchor(refName(s.$ref))}`}>{refName(s.$ref)}</a>;
  const variants = s.oneOf ?? s.anyOf;
  if (variants) return <>{joined(variants.map((v) => <TypeOf schema={v} />), ' | ')}</>;
  const types = Array.isArray(s.type) ? s.type : s.type ? [s.type] : ['any'];
  return <>{joined(types.map((t) => (t === 'array' && s.items ? <>array of <TypeOf schema={s.items} /></> : t)), ' | ')}</>;
}

/** The rules of a schema beyond its type: allowed values, default, lengths, bounds, pattern, format. */
function rules(s: Schema): Child[] {
  const out: Child[] = [];
  if (s.enum) out.push(<>one of {joined(s.enum.map(literal), ', ')}</>);
  if (s.default !== undefined) out.push(<>default {literal(s.default)}</>);
  if (s.format) out.push(<>format {s.format}</>);
  const range = (min: number | undefined, max: number | undefined, unit: string) =>
    min !== undefined && max !== undefined ? `${min} to ${max} ${unit}` : min !== undefined ? `at least ${min} ${unit}` : `at most ${max} ${unit}`;
  if (s.minLength !== undefined || s.maxLength !== undefined) out.push(range(s.minLength, s.maxLength, 'characters'));
  if (s.minItems !== undefined || s.maxItems !== undefined) out.push(range(s.minItems, s.maxItems, 'items'));
  if (s.minimum !== undefined) out.push(`at least ${s.minimum}`);
  if (s.maximum !== undefined) out.push(`at most ${s.maximum}`);
  if (s.pattern) out.push(<>matches <code>{s.pattern}</code></>);
  return out;
}

export function Rules(props: { schema: Schema }) {
  const list = [...rules(props.schema), ...(props.schema.type === 'array' && props.schema.items ? rules(props.schema.items).map((r) => <>each {r}</>) : [])];
  return list.length ? <p class="note">{joined(list, '; ')}.</p> : null;
}

/**
 * The fields of an inline object schema (or of each variant, or of an array's items), nested as
 * deep as they go. In a request the required fields are marked, in an answer the optional ones.
 */
function Inner(props: { schema: Schema; answer: boolean }): Child {
  const s = props.schema;
  if (s.properties) return <Fields schema={s} answer={props.answer} />;
  if (s.items && !s.items.$ref) return <Inner schema={s.items} answer={props.answer} />;
  const variants = (s.oneOf ?? s.anyOf)?.filter((v) => v.properties);
  if (variants?.length) {
    return (
      <ul class="fields">
        {variants.map((v, i) => (
          <li>
            <p>Variant {i + 1}:</p>
            <Fields schema={v} answer={props.answer} />
          </li>
        ))}
      </ul>
    );
  }
  return null;
}

function Fields(props: { schema: Schema; answer: boolean }) {
  const required = new Set(props.schema.required ?? []);
  const mark = (name: string) =>
    props.answer ? (required.has(name) ? null : <span class="note">optional</span>) : required.has(name) ? <span class="req">required</span> : null;
  return (
    <>
      <ul class="fields">
        {Object.entries(props.schema.properties ?? {}).map(([name, field]) => (
          <li>
            <p>
              <code>{name}</code> <span class="type"><TypeOf schema={field} /></span> {mark(name)}
            </p>
            <Text text={field.description} />
            <Rules schema={field} />
            <Inner schema={field} answer={props.answer} />
          </li>
        ))}
      </ul>
      {props.schema.additionalProperties === false ? <p class="note">No other fields are accepted.</p> : null}
    </>
  );
}

/** A body or response schema: its type, description, rules and fields; a named schema shown in full where `expand`. */
export function SchemaView(props: { schema: Schema; doc: Document; answer: boolean; expand?: boolean }) {
  const named = props.expand && props.schema.$ref ? props.doc.components?.schemas?.[refName(props.schema.$ref)] : undefined;
  const s = named ?? props.schema;
  return (
    <>
      {named ? (
        <p class="note">
          Schema <TypeOf schema={props.schema} />:
        </p>
      ) : null}
      {s.properties ? null : (
        <p>
          <span class="type"><TypeOf schema={s} /></span>
        </p>
      )}
      <Text text={s.description} />
      <Rules schema={s} />
      <Inner schema={s} answer={props.answer} />
    </>
  );
}

/** Each media type of a body; errors (`expand` false) in one line each. */
export function ContentView(props: { content?: Content; doc: Document; answer: boolean; expand: boolean }) {
  return (
    <>
      {Object.entries(props.content ?? {}).map(([type, media]) =>
        props.expand && media.schema ? (
          <div class="media">
            <p>
              <code>{type}</code>
            </p>
            <SchemaView schema={media.schema} doc={props.doc} answer={props.answer} expand />
          </div>
        ) : (
          <p class="note">
            <code>{type}</code>
            {media.schema ? <>: <TypeOf schema={media.schema} /></> : null}
          </p>
        ),
      )}
    </>
  );
}
