import { Layout } from './layout';
import { ContentView, type Document, inline, joined, type Operation, refName, Rules, SchemaView, schemaAnchor, Text, TypeOf } from './api-schema';

export const apiDocsStylesheet = `main.wide{max-width:64rem}
.docs h2{font-size:1.3rem;margin:2.5rem 0 .75rem;padding-bottom:.25rem;border-bottom:1px solid #d1d5db}
.docs h3{font-size:1.05rem;margin:2rem 0 .5rem;overflow-wrap:anywhere}
.docs h4{font-size:.95rem;margin:1.25rem 0 .25rem}
.docs code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.875em;background:#f3f4f6;padding:0 .2em;border-radius:3px;overflow-wrap:anywhere}
.docs nav ul{padding-left:1.25rem;margin:0 0 1rem}
.docs a{color:#1d4ed8}
.method{display:inline-block;min-width:4.5em;margin-right:.4em;padding:.05em .4em;border-radius:4px;font-size:.8rem;font-weight:700;text-align:center;color:#fff;background:#374151}
.method-get{background:#1d4ed8}.method-post{background:#047857}.method-put{background:#92400e}.method-delete{background:#b91c1c}
.op{margin-top:2rem;border-top:1px solid #e5e7eb}
.fields{list-style:none;margin:.25rem 0 .75rem;padding-left:.9rem;border-left:2px solid #e5e7eb}
.fields li{margin:.4rem 0}
.fields p,.response p{margin:0 0 .25rem}
.response{margin:.75rem 0}
.media{margin-left:.9rem}
.type,.note{color:#4b5563}
.req{color:#b91c1c;font-size:.85em}
.status{font-weight:700;margin-right:.4em}`;

const anchor = (...parts: string[]) => parts.join('-').replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '').toLowerCase();

function OperationView(props: { method: string; path: string; op: Operation; doc: Document }) {
  const { method, path, op, doc } = props;
  const scopes = (op.security ?? []).flatMap((s) => Object.values(s).flat());
  return (
    <section class="op" id={anchor(method, path)}>
      <h3>
        <span class={`method method-${method}`}>{method.toUpperCase()}</span>
        <code>{path}</code>
      </h3>
      {op.summary ? <p><strong>{op.summary}</strong></p> : null}
      <Text text={op.description} />
      {scopes.length ? (
        <p>
          Key with the scope {joined(scopes.map((s) => <code>{s}</code>), ' or ')}
          {scopes.includes('admin') ? null : <> (or <code>admin</code>)</>}.
        </p>
      ) : null}
      {op.parameters?.length ? (
        <>
          <h4>Parameters</h4>
          <ul class="fields">
            {op.parameters.map((p) => (
              <li>
                <p>
                  <code>{p.name}</code> <span class="type">in {p.in}, {p.schema ? <TypeOf schema={p.schema} /> : 'string'}</span>{' '}
                  {p.required ? <span class="req">required</span> : null}
                </p>
                <Text text={p.description} />
                {p.schema ? <Rules schema={p.schema} /> : null}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {op.requestBody ? (
        <>
          <h4>Request body{op.requestBody.required ? ' (required)' : ''}</h4>
          <Text text={op.requestBody.description} />
          <ContentView content={op.requestBody.content} doc={doc} answer={false} expand />
        </>
      ) : null}
      <h4>Responses</h4>
      {Object.entries(op.responses).map(([status, res]) => (
        <div class="response">
          <p>
            <span class="status">{status}</span>
            {res.description}
          </p>
          {Object.entries(res.headers ?? {}).map(([name, h]) => (
            <p class="note">
              Header <code>{name}</code>: {inline(h.description ?? '')}
            </p>
          ))}
          <ContentView content={res.content} doc={doc} answer expand={status.startsWith('2')} />
        </div>
      ))}
    </section>
  );
}

/**
 * The API reference for people, rendered on the server from the OpenAPI document: no script, no
 * external assets, so it works offline and under the pages' strict CSP.
 */
export function ApiDocsPage(props: { doc: Document; documentUrl: string }) {
  const { doc } = props;
  const operations = Object.entries(doc.paths ?? {}).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ path, method, op })));
  const tags = [...new Set(operations.map((o) => o.op.tags?.[0] ?? 'Other'))];
  const byTag = (tag: string) => operations.filter((o) => (o.op.tags?.[0] ?? 'Other') === tag);
  const schemes = Object.values(doc.components?.securitySchemes ?? {});
  const requestSchemas = new Set(operations.flatMap((o) => Object.values(o.op.requestBody?.content ?? {}).flatMap((m) => (m.schema?.$ref ? [refName(m.schema.$ref)] : []))));
  return (
    <Layout lang="en" title={`${doc.info.title} (${doc.info.version})`} stylesheet="/assets/api-docs.css" wide>
      <div class="docs">
        <Text text={doc.info.description} />
        {schemes.map((s) => <Text text={s.description} />)}
        <p>
          The machine-readable description: <a href={props.documentUrl}>{props.documentUrl}</a> (OpenAPI 3.1).
        </p>
        <nav aria-labelledby="endpoints">
          <h2 id="endpoints">Endpoints</h2>
          {tags.map((tag) => (
            <>
              <p>
                <strong>{tag}</strong>
              </p>
              <ul>
                {byTag(tag).map((o) => (
                  <li>
                    <a href={`#${anchor(o.method, o.path)}`}>
                      <code>
                        {o.method.toUpperCase()} {o.path}
                      </code>
                    </a>{' '}
                    {o.op.summary}
                  </li>
                ))}
              </ul>
            </>
          ))}
        </nav>
        {tags.map((tag) => (
          <section aria-labelledby={anchor('tag', tag)}>
            <h2 id={anchor('tag', tag)}>{tag}</h2>
            {byTag(tag).map((o) => (
              <OperationView method={o.method} path={o.path} op={o.op} doc={doc} />
            ))}
          </section>
        ))}
        <section aria-labelledby="schemas">
          <h2 id="schemas">Schemas</h2>
          {Object.entries(doc.components?.schemas ?? {}).map(([name, schema]) => (
            <section id={schemaAnchor(name)}>
              <h3>{name}</h3>
              <SchemaView schema={schema} doc={doc} answer={!requestSchemas.has(name)} />
            </section>
          ))}
        </section>
      </div>
    </Layout>
  );
}
