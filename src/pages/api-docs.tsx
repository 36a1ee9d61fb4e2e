import { Layout } from './layout';
import { ContentView, type Document, inline, joined, type Operation, refName, Rules, SchemaView, schemaAnchor, Text, TypeOf } from './api-schema';

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
        {doc.webhooks ? (
          <section aria-labelledby="webhook-deliveries">
            <h2 id="webhook-deliveries">Webhook deliveries</h2>
            <p>What listgate POSTs to each outbound webhook (made with POST /v1/webhooks), by event.</p>
            {Object.entries(doc.webhooks).flatMap(([event, item]) =>
              Object.entries(item).map(([method, op]) => <OperationView method={method} path={event} op={{ ...op, security: [] }} doc={doc} />),
            )}
          </section>
        ) : null}
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
